// A failure inside ONNX Runtime fails exactly the requests of the batch it happened in, each with
// ERR_INFERLINE_ORT; requests in other batches are untouched, and the model keeps serving.
//
// gather.onnx (GatherElements) fails a run when any row's index is out of range, and it batches:
// one bad request fails the batch it shares. Requests merge only with equal dims after dim 0, so
// the test steers them: behind a first request that holds the only instance, M = 4 requests (one of
// them bad) form one batch and M = 8 requests another.
import { afterEach, describe, expect, it } from 'vitest';
import { Model, Tensor, type Results } from '../../src/index.js';
import { gatherModel } from '../fixtures/models.js';
import { expectInferlineError } from '../helpers/expect-error.js';
import { generatedModel } from '../helpers/paths.js';
import { randomFloat32 } from '../helpers/random-data.js';

// logLevel fatal: ONNX Runtime would also log each expected failure to stderr.
const kSession = { intraOpThreads: 1, logLevel: 'fatal' } as const;

let model: Model | undefined;
afterEach(async () => {
  await model?.unload();
  model = undefined;
});

interface GatherRequest {
  feeds: { x: Tensor; index: Tensor };
  expected: number[];
}

/** `rows` rows of width `width`, each picking column `column` (out of range when column >= width). */
function gatherRequest(rows: number, width: number, column: number, seed: number): GatherRequest {
  const x = randomFloat32(rows * width, seed);
  return {
    feeds: {
      x: new Tensor('float32', x, [rows, width]),
      index: new Tensor('int64', BigInt64Array.from({ length: rows }, () => BigInt(column)), [rows, 1]),
    },
    expected: Array.from({ length: rows }, (_, row) => x[row * width + column]!),
  };
}

function expectGathered(result: Results, request: GatherRequest, what: string): void {
  expect(result['y']!.shape, what).toEqual([request.expected.length, 1]);
  expect(Array.from(result['y']!.data as Float32Array), what).toEqual(request.expected);
}

describe('a failing batch (gather.onnx, batching on)', () => {
  it('fails every request in that batch with ERR_INFERLINE_ORT, and only those', async () => {
    model = await Model.load({ name: 'gather', bytes: gatherModel(), session: kSession, instances: { count: 1 }, batching: { maxBatchSize: 16 } });
    const gather = model;
    expect(gather.batching).toBe(true);
    const first = gatherRequest(2, 4, 1, 1);
    const sameBatch = [gatherRequest(1, 4, 0, 2), gatherRequest(1, 4, 9, 3) /* bad */, gatherRequest(2, 4, 3, 4)];
    const otherBatch = [gatherRequest(1, 8, 7, 5), gatherRequest(3, 8, 2, 6)];

    const firstResult = gather.infer(first.feeds);
    const failing = sameBatch.map((request) => gather.infer(request.feeds).then(
      () => expect.unreachable('a request in the failing batch resolved'),
      (error: unknown) => error,
    ));
    const succeeding = otherBatch.map((request) => gather.infer(request.feeds));

    expectGathered(await firstResult, first, 'the request that ran first');
    for (const [index, error] of (await Promise.all(failing)).entries()) {
      const ort = expectInferlineError(error, { code: 'ERR_INFERLINE_ORT', kind: 'InferlineError', includes: ['"gather"', 'ONNX Runtime: ', 'GatherElements'] });
      expect(typeof ort.ortCode, `request ${index}`).toBe('number');
    }
    (await Promise.all(succeeding)).forEach((result, index) => expectGathered(result, otherBatch[index]!, `M = 8 request ${index}`));

    const stats = gather.stats();
    expect(stats.failedExecutions).toBe(1);
    expect(stats.requests).toEqual({ success: 1 + otherBatch.length, failure: sameBatch.length });

    // The model keeps serving, the same shape as the failed batch included.
    const after = gatherRequest(2, 4, 2, 7);
    expectGathered(await gather.infer(after.feeds), after, 'a request after the failure');
    expect(gather.stats().requests).toEqual({ success: 2 + otherBatch.length, failure: sameBatch.length });
    expect(gather.stats().failedExecutions).toBe(1);
  });

  it('each rejection carries the stack of its own infer() call, as Session.run does', async () => {
    model = await Model.load({ name: 'gather', bytes: gatherModel(), session: kSession, instances: { count: 1 }, batching: { maxBatchSize: 16 } });
    const gather = model;
    const first = gather.infer(gatherRequest(1, 4, 0, 1).feeds);
    async function callerOne(): Promise<unknown> {
      return gather.infer(gatherRequest(1, 4, 9, 2).feeds).then(() => undefined, (error: unknown) => error);
    }
    async function callerTwo(): Promise<unknown> {
      try {
        await gather.infer(gatherRequest(1, 4, 1, 3).feeds);
      } catch (error) {
        return error;
      }
      return undefined;
    }
    const [one, two] = await Promise.all([callerOne(), callerTwo(), first]);
    expectInferlineError(one, { code: 'ERR_INFERLINE_ORT', kind: 'InferlineError' });
    expectInferlineError(two, { code: 'ERR_INFERLINE_ORT', kind: 'InferlineError' });
    // CONVENTIONS.md: a native failure keeps the caller's stack, captured at the call site.
    expect((one as Error).stack).toContain('batch-failure.test.ts');
    expect((two as Error).stack).toContain('batch-failure.test.ts');
  });

  it('repeated failing batches never stop the model: good and bad interleaved, good ones all resolve', async () => {
    model = await Model.load({ name: 'gather', bytes: gatherModel(), session: kSession, instances: { count: 2 }, batching: { maxBatchSize: 16 } });
    const gather = model;
    const requests = Array.from({ length: 24 }, (_, index) => gatherRequest(1, 4 + 4 * (index % 2), index % 5 === 0 ? 99 : index % 4, 100 + index));
    const settled = await Promise.allSettled(requests.map((request) => gather.infer(request.feeds)));
    let rejected = 0;
    settled.forEach((outcome, index) => {
      const bad = index % 5 === 0;
      if (outcome.status === 'fulfilled') {
        expect(bad, `request ${index} is bad but resolved`).toBe(false);
        expectGathered(outcome.value, requests[index]!, `request ${index}`);
      } else {
        rejected++;
        expectInferlineError(outcome.reason, { code: 'ERR_INFERLINE_ORT', kind: 'InferlineError' });
      }
    });
    const stats = gather.stats();
    expect(stats.requests).toEqual({ success: 24 - rejected, failure: rejected });
    expect(stats.failedExecutions).toBeGreaterThanOrEqual(1);
    const after = gatherRequest(1, 4, 1, 999);
    expectGathered(await gather.infer(after.feeds), after, 'after');
  });
});

describe('a failing request with batching off (failing.onnx)', () => {
  it('fails alone; the requests around it resolve', async () => {
    model = await Model.load({ name: 'failing', path: generatedModel('failing'), session: kSession, instances: { count: 1 }, batching: false });
    const failing = model;
    const data = (): Tensor => new Tensor('float32', Float32Array.from({ length: 16 }, (_, i) => i), [16]);
    const shape = (rows: bigint, cols: bigint): Tensor => new Tensor('int64', new BigInt64Array([rows, cols]), [2]);
    const settled = await Promise.allSettled([
      failing.infer({ data: data(), shape: shape(4n, 4n) }),
      failing.infer({ data: data(), shape: shape(5n, 5n) }),
      failing.infer({ data: data(), shape: shape(2n, 8n) }),
    ]);
    expect(settled.map((outcome) => outcome.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expectInferlineError((settled[1] as PromiseRejectedResult).reason, {
      code: 'ERR_INFERLINE_ORT',
      kind: 'InferlineError',
      includes: ['ONNX Runtime: ', 'Reshape', 'requested shape:{5,5}'],
    });
    expect((settled[2] as PromiseFulfilledResult<Results>).value['y']!.shape).toEqual([2, 8]);
    expect(failing.stats()).toMatchObject({ failedExecutions: 1, requests: { success: 2, failure: 1 } });
  });
});
