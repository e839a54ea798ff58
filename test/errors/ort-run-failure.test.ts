// A failure inside ONNX Runtime during a run (failing.onnx: a Reshape to a shape that does not fit
// the data) surfaces as ERR_INFERLINE_ORT with ORT's own message and code kept, and leaves the
// session usable.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Session, Tensor } from '../../src/index.js';
import { type ExpectedError, expectRejects, expectThrows } from '../helpers/expect-error.js';
import { generatedModel } from '../helpers/paths.js';

const data16 = (): Tensor => new Tensor('float32', Float32Array.from({ length: 16 }, (_, i) => i), [16]);
const shape = (rows: bigint, cols: bigint): Tensor => new Tensor('int64', new BigInt64Array([rows, cols]), [2]);

const kReshapeFailure: ExpectedError = {
  code: 'ERR_INFERLINE_ORT',
  kind: 'InferlineError',
  // Ours, then ORT's words verbatim: the node and its reason.
  includes: ['Session "failing.onnx" run', 'ONNX Runtime: ', 'Reshape', 'requested shape:{5,5}'],
};

describe('ONNX Runtime fails a run (failing.onnx)', () => {
  let session: Session;
  beforeAll(async () => {
    // logLevel fatal: ORT would also log each expected failure to stderr.
    session = await Session.create(generatedModel('failing'), { intraOpThreads: 1, logLevel: 'fatal' });
  });
  afterAll(() => session.close());

  it('run() rejects with ERR_INFERLINE_ORT carrying ortCode and ORT message', async () => {
    const error = await expectRejects(() => session.run({ data: data16(), shape: shape(5n, 5n) }), kReshapeFailure);
    expect(typeof error.ortCode).toBe('number');
    expect(error.ortCode).toBeGreaterThan(0);
  });

  it('the rejection carries the caller stack, not only a native completion', async () => {
    let error: Error | undefined;
    try {
      await session.run({ data: data16(), shape: shape(5n, 5n) });
    } catch (rejection) {
      error = rejection as Error;
    }
    expect(error?.stack).toContain('ort-run-failure.test.ts');
  });

  it('runSync() throws the same error', () => {
    const error = expectThrows(() => session.runSync({ data: data16(), shape: shape(5n, 5n) }), kReshapeFailure);
    expect(typeof error.ortCode).toBe('number');
  });

  it('the session keeps working after failures, async and sync, also when failures and good runs interleave', async () => {
    const results = await Promise.allSettled([
      session.run({ data: data16(), shape: shape(4n, 4n) }),
      session.run({ data: data16(), shape: shape(5n, 5n) }),
      session.run({ data: data16(), shape: shape(2n, 8n) }),
      session.run({ data: data16(), shape: shape(3n, 3n) }),
    ]);
    expect(results.map((result) => result.status)).toEqual(['fulfilled', 'rejected', 'fulfilled', 'rejected']);
    const good = await session.run({ data: data16(), shape: shape(4n, 4n) });
    expect(good['y']!.shape).toEqual([4, 4]);
    expect(Array.from(good['y']!.data as Float32Array)).toEqual(Array.from({ length: 16 }, (_, i) => i));
    const sync = session.runSync({ data: data16(), shape: shape(8n, 2n) });
    expect(sync['y']!.shape).toEqual([8, 2]);
  });
});
