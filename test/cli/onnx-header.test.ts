// inferline inspect's ONNX header reader: IR version, producer and opsets, on generated and real
// models; anything that is not a ModelProto is refused with a clear error.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { readOnnxHeader } from '../../src/cli/onnx-header.js';
import { expectThrows } from '../helpers/expect-error.js';
import { generatedModel, kRealModels } from '../helpers/paths.js';

describe('readOnnxHeader', () => {
  it('reads what the test fixtures writer put in the generated models', () => {
    const header = readOnnxHeader(readFileSync(generatedModel('mlp')), 'mlp');
    expect(header.irVersion).toBe(8);
    expect(header.producerName).toBe('inferline-test-fixtures');
    expect(header.opsets).toEqual([{ domain: '', version: 17 }]);
  });

  it('reads a real model made by another tool (PP-OCRv4 rec, exported by paddle2onnx)', () => {
    const header = readOnnxHeader(readFileSync(kRealModels.ocrRec), 'rec');
    expect(header.irVersion).toBeGreaterThan(0);
    expect(header.opsets.length).toBeGreaterThan(0);
    expect(header.opsets.find((o) => o.domain === '')?.version).toBeGreaterThan(0);
  });

  it('refuses bytes that are not protobuf', () => {
    expectThrows(() => readOnnxHeader(new Uint8Array([0x0a, 0xff, 0xff, 0xff]), '"junk.onnx"'), {
      code: 'ERR_INFERLINE_INVALID_ARG', kind: 'TypeError', includes: ['"junk.onnx"', 'not an ONNX model'],
    });
  });
});
