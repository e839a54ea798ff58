// What a session declares about its inputs and outputs, and what runtimeInfo() reports. Symbolic
// dims come back as their names, fixed ones as numbers, unnamed free ones as null.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { runtimeInfo, Session } from '../../src/index.js';
import { generatedModel, kRealModels } from '../helpers/paths.js';

const kPackageJson = JSON.parse(readFileSync(join(import.meta.dirname, '..', '..', 'package.json'), 'utf8')) as { version: string };

async function metadataOf(path: string) {
  const session = await Session.create(path);
  try {
    return { inputs: session.inputs, outputs: session.outputs };
  } finally {
    await session.close();
  }
}

describe('Session inputs and outputs', () => {
  it('MLP: symbolic batch dim as its name, fixed dims as numbers', async () => {
    expect(await metadataOf(generatedModel('mlp'))).toEqual({
      inputs: [{ name: 'x', dtype: 'float32', shape: ['N', 256] }],
      outputs: [{ name: 'y', dtype: 'float32', shape: ['N', 256] }],
    });
  });

  it('multi-io and cast: order and dtypes as declared', async () => {
    const multi = await metadataOf(generatedModel('multi-io'));
    expect(multi.inputs.map((value) => value.name)).toEqual(['a', 'b']);
    expect(multi.outputs.map((value) => value.name)).toEqual(['sum', 'prod']);
    const cast = await metadataOf(generatedModel('cast'));
    expect(cast.inputs[0]).toEqual({ name: 'x', dtype: 'int32', shape: ['N'] });
    expect(cast.outputs[0]).toEqual({ name: 'y', dtype: 'float32', shape: ['N'] });
  });

  it('fixed-shape: all dims numbers', async () => {
    const fixed = await metadataOf(generatedModel('fixed-shape'));
    expect(fixed.inputs[0]!.shape).toEqual([2, 3]);
  });

  it('PP-OCR cls: dynamic batch and spatial dims by name, channels fixed', async () => {
    expect(await metadataOf(kRealModels.ocrCls)).toEqual({
      inputs: [{ name: 'x', dtype: 'float32', shape: ['p2o.DynamicDimension.0', 3, 'p2o.DynamicDimension.1', 'p2o.DynamicDimension.2'] }],
      outputs: [{ name: 'softmax_0.tmp_0', dtype: 'float32', shape: ['p2o.DynamicDimension.3', 2] }],
    });
  });

  it('PP-OCRv4 rec: height 48 fixed, 6625 classes', async () => {
    const rec = await metadataOf(kRealModels.ocrRec);
    expect(rec.inputs).toEqual([{ name: 'x', dtype: 'float32', shape: ['p2o.DynamicDimension.0', 3, 48, 'p2o.DynamicDimension.1'] }]);
    expect(rec.outputs[0]!.shape[2]).toBe(6625);
  });

  it('silero VAD v5: unnamed free dims as null, the int64 scalar as shape []', async () => {
    expect(await metadataOf(kRealModels.sileroVad)).toEqual({
      inputs: [
        { name: 'input', dtype: 'float32', shape: [null, null] },
        { name: 'state', dtype: 'float32', shape: [2, null, 128] },
        { name: 'sr', dtype: 'int64', shape: [] },
      ],
      outputs: [
        { name: 'output', dtype: 'float32', shape: [null, 1] },
        { name: 'stateN', dtype: 'float32', shape: [null, null, null] },
      ],
    });
  });

  it.each(Object.entries(kRealModels))('%s: same names, dtypes and dims as onnxruntime-node reports', async (_, path) => {
    const ours = await metadataOf(path);
    const theirs = await ort.InferenceSession.create(path);
    try {
      // onnxruntime-node writes an unnamed free dim as ''; ours is null.
      const asOrt = (values: typeof ours.inputs) =>
        values.map((value) => ({ name: value.name, type: value.dtype, shape: value.shape.map((dim) => dim ?? '') }));
      const pick = (values: readonly ort.InferenceSession.ValueMetadata[]) =>
        values.map((value) => ({ name: value.name, type: value.isTensor ? value.type : '', shape: value.isTensor ? value.shape : [] }));
      expect(asOrt(ours.inputs)).toEqual(pick(theirs.inputMetadata));
      expect(asOrt(ours.outputs)).toEqual(pick(theirs.outputMetadata));
    } finally {
      await theirs.release();
    }
  });

  it('metadata is frozen: callers cannot corrupt what feeds are checked against', async () => {
    const session = await Session.create(generatedModel('add'));
    try {
      expect(Object.isFrozen(session.inputs)).toBe(true);
      expect(Object.isFrozen(session.inputs[0])).toBe(true);
      expect(Object.isFrozen(session.inputs[0]!.shape)).toBe(true);
    } finally {
      await session.close();
    }
  });
});

describe('runtimeInfo()', () => {
  it('reports ONNX Runtime 1.30.0 from an existing library, the cpu provider and our version', () => {
    const info = runtimeInfo();
    expect(info.ortVersion).toBe('1.30.0');
    expect(info.providers).toContain('cpu');
    expect(existsSync(info.ortLibraryPath)).toBe(true);
    expect(info.ortLibraryPath).toMatch(/onnxruntime/);
    expect(info.addonVersion).toBe(kPackageJson.version);
    expect(Number.isInteger(info.ortApiVersion) && info.ortApiVersion >= 1).toBe(true);
    expect(Number.isInteger(info.threads) && info.threads >= 1).toBe(true);
  });
});
