// Feeds for the generated MLP (x float32 [N,256]): `rows` rows of repeatable pseudo-random data.
import { Tensor } from '../../src/index.js';
import { randomFloat32 } from './random-data.js';

export function mlpFeeds(rows: number, seed: number): { x: Tensor } {
  return { x: new Tensor('float32', randomFloat32(rows * 256, seed), [rows, 256]) };
}
