// Can the outputs ONNX Runtime gives us move to a worker? Outputs over 1 KiB are external
// ArrayBuffers over ONNX Runtime's memory (napi_create_external_arraybuffer); Node marks those
// untransferable (their free callback must run on the thread that made them). Measured here:
// Node 20 copies such a buffer silently when it is in a transfer list (no error, not detached);
// Node ≥ 21 can say so beforehand (isMarkedAsUntransferable), and the pool then copies it into
// shared memory itself. Either way: one copy per buffer per batch, counted in copiedBytes.
// Outputs of 1 KiB or less are ordinary ArrayBuffers, and move.
import * as workerThreads from 'node:worker_threads';
import { MessageChannel, receiveMessageOnPort } from 'node:worker_threads';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Session, Tensor } from '../../src/index.js';
import { WorkerPool } from '../../src/pool/worker-pool.js';
import { kBindFeeds, kRunBatch } from '../../src/session/internal.js';
import { generatedModel } from '../helpers/paths.js';
import { randomFloat32 } from '../helpers/random-data.js';
import { handler, kContext } from './handlers.js';

const isMarkedAsUntransferable = (workerThreads as { isMarkedAsUntransferable?: (value: unknown) => boolean }).isMarkedAsUntransferable;

describe('external output buffers and the pool', () => {
  let session: Session;
  const pool = new WorkerPool({ size: 1, name: 'external' });
  beforeAll(async () => {
    session = await Session.create(generatedModel('identity-float32'), { intraOpThreads: 1 });
  });
  afterAll(async () => {
    await pool.close();
    await session.close();
  });

  /** Runs `rows.length` requests of [rows[i], width] as one batch; returns each one's outputs. */
  async function runBatch(rows: number[], width: number, seed: number): Promise<{ inputs: Float32Array[]; outputs: Array<Record<string, Tensor>> }> {
    const inputs = rows.map((count, i) => randomFloat32(count * width, seed + i));
    const bound = inputs.map((data, i) => session[kBindFeeds]({ x: new Tensor('float32', data, [rows[i]!, width]) }));
    return { inputs, outputs: await session[kRunBatch](bound) };
  }

  it('Node does not move an external output buffer: it copies it, or refuses up front (Node ≥ 21)', async () => {
    const y = (await session.run({ x: new Tensor('float32', randomFloat32(32 * 64, 1), [32, 64]) }))['y']!.data as Float32Array;
    const buffer = y.buffer as ArrayBuffer;
    expect(buffer.byteLength).toBe(8192); // over the addon's 1 KiB threshold: external
    if (isMarkedAsUntransferable !== undefined) {
      expect(isMarkedAsUntransferable(buffer)).toBe(true);
      return;
    }
    const { port1, port2 } = new MessageChannel();
    try {
      port1.postMessage(buffer, [buffer]); // no error on Node 20 ...
      const received = receiveMessageOnPort(port2)!.message as ArrayBuffer;
      expect(buffer.byteLength).toBe(8192); // ... but not detached: it was copied
      expect(received).not.toBe(buffer);
      expect(new Float32Array(received)).toEqual(y);
    } finally {
      port1.close();
    }
  });

  it('a batch of large outputs (one external buffer) is copied once per batch, not per request, and counted', async () => {
    const { inputs, outputs } = await runBatch([4, 4, 4], 64, 10);
    const views = outputs.map((request) => request['y']!.data as Float32Array);
    const buffer = views[0]!.buffer;
    expect(views.every((view) => view.buffer === buffer)).toBe(true); // views of one batch output
    expect(buffer.byteLength).toBe(3 * 4 * 64 * 4);
    const before = pool.stats().copiedBytes;
    const results = await pool.postprocess(handler('summarize.mjs'), outputs, kContext);
    const sums = results.map((result) => (result as PromiseFulfilledResult<{ sum: number }>).value.sum);
    const expected = inputs.map((input) => input.reduce((sum, value) => sum + value, 0));
    for (let i = 0; i < sums.length; i++) expect(sums[i]).toBeCloseTo(expected[i]!, 4);
    expect(pool.stats().copiedBytes - before).toBe(buffer.byteLength);
    expect(views[0]!.length).toBe(4 * 64); // still usable here: copied, not moved
  });

  it('a batch of small outputs (an ordinary buffer) is moved: detached here, nothing copied', async () => {
    const { outputs } = await runBatch([1, 1], 16, 20);
    const buffer = (outputs[0]!['y']!.data as Float32Array).buffer;
    expect(buffer.byteLength).toBe(2 * 16 * 4);
    const before = pool.stats().copiedBytes;
    const results = await pool.postprocess(handler('summarize.mjs'), outputs, kContext);
    expect(results.map((result) => result.status)).toEqual(['fulfilled', 'fulfilled']);
    expect(buffer.byteLength).toBe(0);
    expect(pool.stats().copiedBytes).toBe(before);
  });
});
