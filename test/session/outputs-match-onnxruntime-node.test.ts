// inferline's outputs must be bit-identical to onnxruntime-node's on the same model and input:
// same dims, same dtype, same bytes. Both use the same libonnxruntime with one intra-op thread,
// which makes ONNX Runtime deterministic, so any difference is ours (wrong offset, wrong dtype
// mapping, wrong output order, a copy that truncates...).
import ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Session, Tensor, type DType, type TensorData } from '../../src/index.js';
import { kAllDTypes } from '../fixtures/onnx-dtypes.js';
import { generatedModel, kRealModels } from '../helpers/paths.js';
import { randomData, randomFloat32 } from '../helpers/random-data.js';
import { expectSameTensor } from '../helpers/tensor-bytes.js';

const kOptions = { intraOpThreads: 1 };
const kOrtOptions: ort.InferenceSession.SessionOptions = { intraOpNumThreads: 1, interOpNumThreads: 1 };

interface Feed {
  dtype: DType;
  data: TensorData;
  dims: number[];
}
type FeedSet = Record<string, Feed>;

/** The same data, as a Tensor for each library (shared, not copied: neither writes inputs). */
function inferlineFeeds(feeds: FeedSet): Record<string, Tensor> {
  return Object.fromEntries(Object.entries(feeds).map(([name, f]) => [name, new Tensor(f.dtype, f.data, f.dims)]));
}
function ortFeeds(feeds: FeedSet): Record<string, ort.Tensor> {
  return Object.fromEntries(
    Object.entries(feeds).map(([name, f]) => [name, new ort.Tensor(f.dtype as ort.Tensor.Type, f.data, f.dims)]),
  );
}

/** Both libraries' sessions on one model file. */
class Pair {
  private constructor(readonly ours: Session, readonly theirs: ort.InferenceSession) {}

  static async open(path: string): Promise<Pair> {
    return new Pair(await Session.create(path, kOptions), await ort.InferenceSession.create(path, kOrtOptions));
  }

  /** Runs all three ways, asserts every output matches, and returns onnxruntime-node's outputs. */
  async expectMatch(feeds: FeedSet, what: string): Promise<ort.InferenceSession.ReturnType> {
    const expected = await this.theirs.run(ortFeeds(feeds));
    const viaRun = await this.ours.run(inferlineFeeds(feeds));
    const viaRunSync = this.ours.runSync(inferlineFeeds(feeds));
    for (const [how, actual] of [['run', viaRun], ['runSync', viaRunSync]] as const) {
      expect(Object.keys(actual).sort(), `${what} ${how}: output names`).toEqual(Object.keys(expected).sort());
      for (const name of Object.keys(expected)) expectSameTensor(actual[name]!, expected[name]!, `${what} ${how} "${name}"`);
    }
    return expected;
  }

  async close(): Promise<void> {
    await this.ours.close();
    await this.theirs.release();
  }
}

function float32Feed(dims: number[], seed: number): Feed {
  return { dtype: 'float32', data: randomFloat32(dims.reduce((a, b) => a * b, 1), seed), dims };
}

describe('PP-OCR models', () => {
  it.each([
    ['cls, batch 1', kRealModels.ocrCls, [1, 3, 48, 192]],
    ['cls, batch 4', kRealModels.ocrCls, [4, 3, 48, 192]],
    ['PP-OCRv4 rec', kRealModels.ocrRec, [1, 3, 48, 320]],
    ['PP-OCRv4 det', kRealModels.ocrDet, [1, 3, 320, 320]],
  ])('%s matches onnxruntime-node', async (what, path, dims) => {
    const pair = await Pair.open(path);
    try {
      await pair.expectMatch({ x: float32Feed(dims, 11) }, what);
    } finally {
      await pair.close();
    }
  });
});

describe('silero VAD (stateful: the state output is fed back in)', () => {
  it('v5 matches onnxruntime-node over 3 steps', async () => {
    const pair = await Pair.open(kRealModels.sileroVad);
    try {
      // Declared: input [?,?], state [2,?,128], sr int64 scalar.
      expect(pair.ours.inputs.map((input) => input.name)).toEqual(['input', 'state', 'sr']);
      let state: Feed = { dtype: 'float32', data: new Float32Array(2 * 128), dims: [2, 1, 128] };
      const sr: Feed = { dtype: 'int64', data: new BigInt64Array([16000n]), dims: [] };
      for (let step = 0; step < 3; step++) {
        const input: Feed = { dtype: 'float32', data: randomFloat32(576, 100 + step).map((v) => v * 0.3), dims: [1, 576] };
        const expected = await pair.expectMatch({ input, state, sr }, `v5 step ${step}`);
        const next = expected['stateN']!;
        state = { dtype: 'float32', data: next.data as Float32Array, dims: [...next.dims] };
      }
      // The state really changed, so the later steps tested the feedback, not zeros again.
      expect((state.data as Float32Array).some((value) => value !== 0)).toBe(true);
    } finally {
      await pair.close();
    }
  });

  it('legacy (h, c state) matches onnxruntime-node over 3 steps', async () => {
    const pair = await Pair.open(kRealModels.sileroVadLegacy);
    try {
      expect(pair.ours.inputs.map((input) => input.name)).toEqual(['input', 'sr', 'h', 'c']);
      let h: Feed = { dtype: 'float32', data: new Float32Array(2 * 64), dims: [2, 1, 64] };
      let c: Feed = { dtype: 'float32', data: new Float32Array(2 * 64), dims: [2, 1, 64] };
      const sr: Feed = { dtype: 'int64', data: new BigInt64Array([16000n]), dims: [] };
      for (let step = 0; step < 3; step++) {
        const input: Feed = { dtype: 'float32', data: randomFloat32(512, 200 + step).map((v) => v * 0.3), dims: [1, 512] };
        const expected = await pair.expectMatch({ input, sr, h, c }, `legacy step ${step}`);
        h = { dtype: 'float32', data: expected['hn']!.data as Float32Array, dims: [...expected['hn']!.dims] };
        c = { dtype: 'float32', data: expected['cn']!.data as Float32Array, dims: [...expected['cn']!.dims] };
      }
    } finally {
      await pair.close();
    }
  });
});

describe('generated models', () => {
  const pairs = new Map<string, Pair>();
  const open = async (name: string): Promise<Pair> => {
    let pair = pairs.get(name);
    if (pair === undefined) {
      pair = await Pair.open(generatedModel(name));
      pairs.set(name, pair);
    }
    return pair;
  };
  afterAll(async () => {
    for (const pair of pairs.values()) await pair.close();
  });

  it('add [1,16]', async () => {
    await (await open('add')).expectMatch({ x: float32Feed([1, 16], 1) }, 'add');
  });

  it.each([1, 7])('mlp, batch %i', async (batch) => {
    await (await open('mlp')).expectMatch({ x: float32Feed([batch, 256], 2 + batch) }, `mlp batch ${batch}`);
  });

  it('multi-io: both outputs, each under its own name', async () => {
    await (await open('multi-io')).expectMatch({ a: float32Feed([3, 4], 3), b: float32Feed([3, 4], 4) }, 'multi-io');
  });

  it('int64 add, values beyond 2^53', async () => {
    const half = (seed: number) => BigInt64Array.from(randomData('int64', 9, seed) as BigInt64Array, (v) => v / 2n);
    const feeds: FeedSet = {
      a: { dtype: 'int64', data: half(5), dims: [9] },
      b: { dtype: 'int64', data: half(6), dims: [9] },
    };
    await (await open('int64-add')).expectMatch(feeds, 'int64 add');
  });

  it('cast int32 → float32', async () => {
    await (await open('cast')).expectMatch({ x: { dtype: 'int32', data: randomData('int32', 10, 7), dims: [10] } }, 'cast');
  });

  it('string (upper-case)', async () => {
    await (await open('string')).expectMatch({ x: { dtype: 'string', data: randomData('string', 6, 8), dims: [6] } }, 'string');
  });

  it('fixed shape [2,3]', async () => {
    await (await open('fixed-shape')).expectMatch({ x: float32Feed([2, 3], 9) }, 'fixed-shape');
  });

  // onnxruntime-node has no bfloat16 Tensor type; it is covered below on its own.
  const ortDTypes = kAllDTypes.filter((dtype) => dtype !== 'bfloat16');
  it.each(ortDTypes)('identity %s [3,5]', async (dtype) => {
    const feeds: FeedSet = { x: { dtype, data: randomData(dtype, 15, 10), dims: [3, 5] } };
    await (await open(`identity-${dtype}`)).expectMatch(feeds, `identity ${dtype}`);
  });

  describe('identity bfloat16 (onnxruntime-node cannot run it)', () => {
    let session: Session;
    beforeAll(async () => {
      session = await Session.create(generatedModel('identity-bfloat16'), kOptions);
    });
    afterAll(() => session.close());

    it('round-trips the raw bits exactly, through run and runSync', async () => {
      const bits = randomData('bfloat16', 15, 12) as Uint16Array;
      const input = new Tensor('bfloat16', bits, [3, 5]);
      const expected = { type: 'bfloat16', dims: [3, 5], data: bits };
      expectSameTensor((await session.run({ x: input }))['y']!, expected, 'bfloat16 run');
      expectSameTensor(session.runSync({ x: input })['y']!, expected, 'bfloat16 runSync');
    });
  });
});
