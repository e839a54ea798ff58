// The embedded default repository (scripts/default-repository.mjs): its hand-encoded add model is
// a valid ONNX model computing x + 1, writing it again changes nothing, and the repository serves
// every model it holds, the OCR ones taking PNG text lines through the example's handlers.
import { existsSync, readFileSync, rmSync, statSync } from 'node:fs';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addModelBytes, ensureDefaultRepository } from '../../scripts/default-repository.mjs';
import { renderTextLinePng } from '../../examples/ocr/render-text.mjs';
import { Session, Tensor } from '../../src/index.js';
import { ModelRepository } from '../../src/repository/model-repository.js';
import { addFeeds } from './repository-fixtures.js';

const dir = join(mkdtempSync(join(tmpdir(), 'inferline-default-')), 'repository');
let written: { dir: string; models: string[]; notes: string[] };
let repo: ModelRepository;

beforeAll(async () => {
  written = ensureDefaultRepository(dir);
  repo = await ModelRepository.open(dir);
});

afterAll(async () => {
  await repo?.close();
  rmSync(join(dir, '..'), { recursive: true, force: true });
});

describe('the default repository', () => {
  it('holds add, and the PP-OCR models with their handlers in a checkout', () => {
    expect(written.dir).toBe(dir);
    expect(written.models).toEqual(['add', 'ppocr-cls', 'ppocr-rec']);
    expect(written.notes).toEqual([]);
    const cls = JSON.parse(readFileSync(join(dir, 'ppocr-cls', 'config.json'), 'utf8'));
    expect(existsSync(join(dir, 'ppocr-cls', cls.preprocess))).toBe(true);
    expect(existsSync(join(dir, 'ppocr-cls', cls.postprocess))).toBe(true);
  });

  it('the hand-encoded add model runs in a Session: float32 [N,16], y = x + 1', async () => {
    const session = await Session.create(addModelBytes());
    try {
      expect(session.inputs).toEqual([{ name: 'x', dtype: 'float32', shape: ['N', 16] }]);
      expect(session.outputs).toEqual([{ name: 'y', dtype: 'float32', shape: ['N', 16] }]);
      const x = Float32Array.from({ length: 48 }, (_, i) => i - 7.5);
      const { y } = await session.run({ x: new Tensor('float32', x, [3, 16]) });
      expect(y!.shape).toEqual([3, 16]);
      expect(Array.from(y!.data as Float32Array)).toEqual(Array.from(x, (v) => v + 1));
    } finally {
      await session.close();
    }
  });

  it('is idempotent: a second run rewrites nothing', () => {
    const files = ['add/1/model.onnx', 'add/config.json', 'ppocr-cls/1/model.onnx', 'ppocr-rec/config.json'].map((file) => join(dir, file));
    const before = files.map((file) => statSync(file).mtimeMs);
    expect(ensureDefaultRepository(dir)).toEqual(written);
    expect(files.map((file) => statSync(file).mtimeMs)).toEqual(before);
  });

  it('serves every model', async () => {
    expect(repo.index().map((entry) => [entry.name, entry.state])).toEqual([['add', 'READY'], ['ppocr-cls', 'READY'], ['ppocr-rec', 'READY']]);
    const { y } = await repo.get('add').infer(addFeeds(3));
    expect(Array.from(y!.data as Float32Array)).toEqual(Array.from({ length: 48 }, (_, i) => i + 1));
    expect(repo.get('add').batching).toBe(true);
  });

  it('the OCR models read a PNG text line through their handlers', async () => {
    const png = renderTextLinePng('inferline');
    const direction = await repo.get('ppocr-cls').infer<{ angle: number; score: number }>({ png });
    expect(direction.angle).toBe(0);
    const line = await repo.get('ppocr-rec').infer<{ text: string; confidence: number }>({ png });
    expect(line.text).toBe('inferline');
  });
});
