// The pool as users get it, from dist/: the worker entry is dist/pool/worker-entry.js, found next
// to the compiled pool (from src/, the tests above run it as TypeScript through tsx). Run
// `npx tsc -p tsconfig.build.json` after changing src/ (checked below).
import { existsSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { threadId as mainThreadId } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { handler, kContext } from './handlers.js';

const kRoot = join(import.meta.dirname, '..', '..');
// The pool and everything its worker imports.
const kSources = ['pool/worker-pool.ts', 'pool/call-arguments.ts', 'pool/worker-entry.ts', 'pool/worker-entry-path.ts', 'pool/batch-views.ts', 'pool/feeds-check.ts',
  'pool/handler-loader.ts', 'pool/handler-module.ts', 'pool/pool-options.ts', 'pool/protocol.ts', 'pool/transferables.ts',
  'tensor/tensor.ts', 'tensor/dtype.ts', 'errors.ts', 'validate.ts'];

/** Fails with what to run when dist/ is missing or older than src/, instead of testing old code. */
function requireFreshBuild(): void {
  const stale = kSources.filter((source) => {
    const built = join(kRoot, 'dist', source.replace(/\.ts$/, '.js'));
    return !existsSync(built) || statSync(built).mtimeMs < statSync(join(kRoot, 'src', source)).mtimeMs;
  });
  if (stale.length > 0) {
    throw new Error(`dist/ is stale for ${stale.map((source) => relative(kRoot, join(kRoot, 'src', source))).join(', ')}: run \`npx tsc -p tsconfig.build.json\` first`);
  }
}

describe('WorkerPool from the built package', () => {
  it('runs handlers in workers that load dist/pool/worker-entry.js, and replaces a crashed one', async () => {
    requireFreshBuild();
    const builtPool = join(kRoot, 'dist', 'pool', 'worker-pool.js');
    const builtIndex = join(kRoot, 'dist', 'index.js');
    const { WorkerPool } = (await import(builtPool)) as typeof import('../../src/pool/worker-pool.js');
    const { Tensor } = (await import(builtIndex)) as typeof import('../../src/index.js');
    const pool = new WorkerPool({ size: 1, name: 'dist' });
    try {
      const { x } = await pool.preprocess(handler('scale.mjs'), { values: [1, 2], scale: 3 }, kContext);
      expect(x).toBeInstanceOf(Tensor);
      expect([...(x!.data as Float32Array)]).toEqual([3, 6]);
      const batch = Float32Array.of(1, 2, 3, 4);
      const outputs = [0, 1].map((i) => ({ y: new Tensor('float32', batch.subarray(i * 2, i * 2 + 2), [2]) }));
      const results = await pool.postprocess(handler('thread-id.mjs'), outputs, kContext);
      expect(results.map((result) => result.status)).toEqual(['fulfilled', 'fulfilled']);
      expect((results[0] as PromiseFulfilledResult<number>).value).not.toBe(mainThreadId);
      expect(batch.buffer.byteLength).toBe(0);
      const crash = await pool.preprocess(handler('crash.mjs'), { how: 'exit' }, kContext).catch((error: unknown) => error);
      expect((crash as { code?: string }).code).toBe('ERR_INFERLINE_WORKER_CRASHED');
      const { threadId } = await pool.preprocess(handler('thread-id.mjs'), {}, kContext);
      expect(threadId!.data.length).toBe(1);
    } finally {
      await pool.close();
    }
  });
});
