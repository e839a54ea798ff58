// Model repositories for tests: each in its own temporary directory, built from generated models;
// plus a client that sends requests without pause, for the hot-reload tests.
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Tensor } from '../../src/index.js';
import type { ModelRepository } from '../../src/repository/model-repository.js';
import { buildModel } from '../fixtures/onnx-writer.js';
import { generatedModel } from '../helpers/paths.js';

/** Row width of addConstantModel. */
export const kAddWidth = 16;

/** x float32 [N,16] → y = x + k: versions that tell apart by their answers. */
export function addConstantModel(k: number): Uint8Array {
  return buildModel({
    inputs: [{ name: 'x', dtype: 'float32', shape: ['N', kAddWidth] }],
    outputs: [{ name: 'y', dtype: 'float32', shape: ['N', kAddWidth] }],
    initializers: [{ name: 'k', dtype: 'float32', dims: [], data: new Float32Array([k]) }],
    nodes: [{ op: 'Add', inputs: ['x', 'k'], outputs: ['y'] }],
  });
}

/** One session, one thread per model: the machine running the tests has two cores. */
export const kLight = { instances: { count: 1 }, session: { intraOpThreads: 1 } } as const;

/** x [rows,16] with x[r][c] = r * 16 + c. */
export function addFeeds(rows = 1): { x: Tensor } {
  return { x: new Tensor('float32', Float32Array.from({ length: rows * kAddWidth }, (_, i) => i), [rows, kAddWidth]) };
}

/** The constant a response of an addConstantModel added (y - x of the first element). */
export function addedConstant(outputs: Record<string, Tensor>): number {
  return (outputs.y!.data as Float32Array)[0]!;
}

/** A repository directory under the system's temporary directory; remove() deletes it. */
export class TempRepository {
  readonly dir = mkdtempSync(join(tmpdir(), 'inferline-repo-'));

  /** Writes `<model>/<version>/model.onnx` from bytes or a generated model's name. */
  writeVersion(model: string, version: number | string, source: Uint8Array | string): string {
    const versionDir = join(this.dir, model, String(version));
    mkdirSync(versionDir, { recursive: true });
    const file = join(versionDir, 'model.onnx');
    if (typeof source === 'string') copyFileSync(generatedModel(source), file);
    else writeFileSync(file, source);
    return file;
  }

  /** Writes `<model>/config.json`: an object as JSON, a string as it is. */
  writeConfig(model: string, config: object | string): void {
    mkdirSync(join(this.dir, model), { recursive: true });
    writeFileSync(join(this.dir, model, 'config.json'), typeof config === 'string' ? config : JSON.stringify(config, null, 2));
  }

  /** Deletes a model directory or one of its version directories. */
  removePath(...parts: string[]): void {
    rmSync(join(this.dir, ...parts), { recursive: true, force: true });
  }

  remove(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** What a ClientLoop saw: the constant of every response, in order, and every failure. */
export interface ClientLoopResult {
  constants: number[];
  failures: unknown[];
}

/**
 * `concurrency` callers, each sending the next request to `repo.get(name)` as soon as the last one
 * answered, until stop(). Each resolves its caller's results in the order they came back.
 */
export class ClientLoop {
  readonly #callers: Array<Promise<void>> = [];
  readonly #result: ClientLoopResult = { constants: [], failures: [] };
  #stopped = false;
  /** Resolves once every caller has had at least one answer. */
  readonly started: Promise<void>;

  constructor(repo: ModelRepository, name: string, concurrency = 4) {
    const firsts: Array<Promise<void>> = [];
    for (let i = 0; i < concurrency; i++) {
      let answered!: () => void;
      firsts.push(new Promise<void>((resolve) => (answered = resolve)));
      this.#callers.push((async () => {
        while (!this.#stopped) {
          try {
            this.#result.constants.push(addedConstant(await repo.get(name).infer(addFeeds(1))));
          } catch (error) {
            this.#result.failures.push(error);
          }
          answered();
        }
      })());
    }
    this.started = Promise.all(firsts).then(() => {});
  }

  /** Responses so far. */
  get count(): number {
    return this.#result.constants.length + this.#result.failures.length;
  }

  /** Resolves once `n` more responses than now have come back (so that traffic spans an event). */
  async waitForMore(n: number): Promise<void> {
    const target = this.count + n;
    while (this.count < target && !this.#stopped) await new Promise((resolve) => setImmediate(resolve));
  }

  async stop(): Promise<ClientLoopResult> {
    this.#stopped = true;
    await Promise.all(this.#callers);
    return this.#result;
  }
}

/**
 * Polls `condition` until it holds, at most `deadlineMs` (for the poll-timer test, where the
 * repository changes on its own clock).
 */
export async function eventually(condition: () => boolean, what: string, deadlineMs = 20_000): Promise<void> {
  const deadline = Date.now() + deadlineMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
