// The OCR example pipeline (examples/ocr/) on the real PP-OCR models: preprocess → Session.run →
// postprocess, on text lines the test renders itself (DejaVu Sans via pureimage, plus the
// straight-stroke CJK glyphs of examples/ocr/stroke-glyphs.mjs).
//
// Measured here (PP-OCRv4 rec, width 320, BGR planes as PaddleOCR feeds them): every line in
// kReliableLines is read exactly with confidence > 0.9. Lines much wider than 320 columns at
// height 48 are squeezed to about 2/3 of their width and lose a character or a space
// (kHardLines): they are measured and printed, and only their character accuracy is asserted,
// loosely. RGB and BGR plane orders read alike on coloured lines (48 of 49 exact with BGR, 46
// with RGB, same mean confidence), so BGR, PaddleOCR's order, is kept.
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import clsPostprocess from '../../examples/ocr/cls-postprocess.mjs';
import clsPreprocess from '../../examples/ocr/cls-preprocess.mjs';
import recPostprocess from '../../examples/ocr/rec-postprocess.mjs';
import recPreprocess from '../../examples/ocr/rec-preprocess.mjs';
import { renderTextLinePng } from '../../examples/ocr/render-text.mjs';
import { Session } from '../../src/index.js';
import { kRealModels } from '../helpers/paths.js';

const kExamplesDir = join(import.meta.dirname, '..', '..', 'examples', 'ocr');

/** Lines read exactly on every run measured; CJK ones use the stroke glyphs. */
const kReliableLines = ['Hello World 2026', 'inferline', 'ONNX Runtime 1.30', 'Node.js worker threads', '中山王田', '三十一日', 'PP-OCR 中日'];
/** Lines 450–490 columns wide at height 48, squeezed into 320: a character or a space is lost. */
const kHardLines = ['The quick brown fox jumps over', 'abcdefghijklmnopqrstuvwxyz'];

type Outputs = Record<string, { dtype: string; data: Float32Array; shape: number[] }>;

function editDistance(a: string, b: string): number {
  const x = [...a];
  const y = [...b];
  let previous = Array.from({ length: y.length + 1 }, (_, j) => j);
  for (let i = 1; i <= x.length; i++) {
    const current = [i];
    for (let j = 1; j <= y.length; j++) {
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (x[i - 1] === y[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[y.length]!;
}

/** 1 − edit distance / expected length, floored at 0. */
function characterAccuracy(expected: string, read: string): number {
  return Math.max(0, 1 - editDistance(expected, read) / [...expected].length);
}

describe('OCR example pipeline on PP-OCR models', () => {
  let cls: Session;
  let rec: Session;
  const context = { model: 'ocr', version: 1 };

  beforeAll(async () => {
    [cls, rec] = await Promise.all([
      Session.create(kRealModels.ocrCls, { intraOpThreads: 1 }),
      Session.create(kRealModels.ocrRec, { intraOpThreads: 1 }),
    ]);
  });
  afterAll(async () => {
    await cls?.close();
    await rec?.close();
  });

  async function classify(png: Uint8Array) {
    return clsPostprocess((await cls.run(clsPreprocess({ png }, context))) as unknown as Outputs, context);
  }
  async function recognise(png: Uint8Array, rotate180 = false) {
    return recPostprocess((await rec.run(recPreprocess({ png, rotate180 }, context))) as unknown as Outputs, context);
  }

  it('preprocess: fixed shapes, scaled line on the left, zero padding on the right', () => {
    const png = renderTextLinePng('inferline');
    const clsFeeds = clsPreprocess({ png });
    const recFeeds = recPreprocess({ png });
    expect(Object.keys(clsFeeds)).toEqual(['x']);
    expect(clsFeeds.x.dtype).toBe('float32');
    expect(clsFeeds.x.shape).toEqual([1, 3, 48, 192]);
    expect(clsFeeds.x.data.length).toBe(3 * 48 * 192);
    expect(recFeeds.x.shape).toEqual([1, 3, 48, 320]);
    // 'inferline' renders narrower than 320 columns: the last column is padding, the first is
    // white background (1 after normalisation).
    const plane = recFeeds.x.data.subarray(0, 48 * 320);
    expect(plane[10 * 320 + 319]).toBe(0);
    expect(plane[10 * 320]).toBeCloseTo(1, 5);
    expect(recFeeds.x.data.every((value: number) => value >= -1 && value <= 1)).toBe(true);
  });

  it('rec preprocess with rotate180 equals preprocess of the turned image', () => {
    const upright = recPreprocess({ png: renderTextLinePng('Hello World 2026') });
    const turnedBack = recPreprocess({ png: renderTextLinePng('Hello World 2026', { rotate180: true }), rotate180: true });
    expect(turnedBack.x.data).toEqual(upright.x.data);
  });

  it('preprocess rejects input without PNG bytes', () => {
    expect(() => recPreprocess({ png: 'not bytes' })).toThrow(TypeError);
    expect(() => clsPreprocess({})).toThrow(/input\.png/);
    expect(() => clsPreprocess({ png: Uint8Array.of(1, 2, 3) })).toThrow();
  });

  it.each(kReliableLines)('reads %j exactly', async (text) => {
    const result = await recognise(renderTextLinePng(text));
    expect(result.text).toBe(text);
    expect(result.confidence).toBeGreaterThan(0.9);
    expect(result.confidence).toBeLessThanOrEqual(1);
  });

  it('reads coloured text (red on white, white on blue)', async () => {
    expect((await recognise(renderTextLinePng('inferline', { color: '#ff0000' }))).text).toBe('inferline');
    expect((await recognise(renderTextLinePng('ONNX Runtime 1.30', { color: '#ffffff', background: '#0000c0' }))).text).toBe('ONNX Runtime 1.30');
  });

  it('reads an upside-down line once rotate180 is set from the classifier', async () => {
    const png = renderTextLinePng('Hello World 2026', { rotate180: true });
    const direction = await classify(png);
    expect(direction.angle).toBe(180);
    expect((await recognise(png, direction.angle === 180)).text).toBe('Hello World 2026');
  });

  it('direction classifier: 0 for upright lines, 180 for turned ones (Latin text)', async () => {
    // The stroke CJK glyphs are left out: 中, 田, 王, 三 look the same turned, so no direction.
    for (const text of kReliableLines.filter((line) => /^[\x20-\x7e]+$/.test(line))) {
      const upright = await classify(renderTextLinePng(text));
      const turned = await classify(renderTextLinePng(text, { rotate180: true }));
      expect(upright, text).toEqual({ angle: 0, score: expect.any(Number) });
      expect(upright.score, text).toBeGreaterThan(0.9);
      expect(turned, text).toEqual({ angle: 180, score: expect.any(Number) });
      expect(turned.score, text).toBeGreaterThan(0.9);
    }
  });

  it('same image, same text and confidence on every run', async () => {
    const png = renderTextLinePng('ONNX Runtime 1.30');
    const first = await recognise(png);
    const again = await Promise.all([recognise(png), recognise(png), recognise(png)]);
    for (const result of again) expect(result).toEqual(first);
  });

  it('measures exact-match rate and character accuracy over all test lines', async () => {
    const rows = [];
    for (const text of [...kReliableLines, ...kHardLines]) {
      const { text: read, confidence } = await recognise(renderTextLinePng(text));
      rows.push({ expected: text, read, exact: read === text, charAccuracy: characterAccuracy(text, read), confidence });
    }
    const exactRate = rows.filter((row) => row.exact).length / rows.length;
    const meanCharAccuracy = rows.reduce((sum, row) => sum + row.charAccuracy, 0) / rows.length;
    console.table(rows.map((row) => ({ ...row, charAccuracy: row.charAccuracy.toFixed(3), confidence: row.confidence.toFixed(3) })));
    console.log(`exact match ${(exactRate * 100).toFixed(1)} %, mean character accuracy ${(meanCharAccuracy * 100).toFixed(1)} %`);
    for (const row of rows) expect(row.read.length, row.expected).toBeGreaterThan(0);
    for (const row of rows.filter((r) => kHardLines.includes(r.expected))) expect(row.charAccuracy, row.expected).toBeGreaterThan(0.8);
  });

  it('postprocess rejects outputs of the wrong shape', () => {
    const bad = { y: { dtype: 'float32', data: new Float32Array(40 * 10), shape: [1, 40, 10] } };
    expect(() => recPostprocess(bad)).toThrow(/\[1, T, 6625\]/);
    expect(() => recPostprocess({})).toThrow(RangeError);
    expect(() => clsPostprocess({ y: { dtype: 'float32', data: new Float32Array(1), shape: [1, 1] } })).toThrow(RangeError);
  });
});

describe('OCR example modules in a worker thread', () => {
  it('load there (dictionary included) and run on the bytes they are sent', async () => {
    // What the worker pool does: import the modules by URL inside a worker, call them per request.
    const urls = Object.fromEntries(
      ['rec-preprocess', 'rec-postprocess', 'render-text'].map((name) => [name, pathToFileURL(join(kExamplesDir, `${name}.mjs`)).href]),
    );
    const source = `
      const { parentPort, workerData } = require('node:worker_threads');
      (async () => {
        const pre = (await import(workerData.urls['rec-preprocess'])).default;
        const post = (await import(workerData.urls['rec-postprocess'])).default;
        const { renderTextLinePng } = await import(workerData.urls['render-text']);
        const feeds = pre({ png: renderTextLinePng('inferline') });
        // All-blank probabilities but for one 'i' (class 3537 in ppocr_keys_v1.txt, +1 for the blank).
        const probabilities = new Float32Array(40 * 6625);
        for (let t = 0; t < 40; t++) probabilities[t * 6625] = 1;
        probabilities[3 * 6625] = 0;
        probabilities[3 * 6625 + 3538] = 1;
        const decoded = post({ y: { dtype: 'float32', data: probabilities, shape: [1, 40, 6625] } });
        parentPort.postMessage({ shape: feeds.x.shape, decoded });
      })();`;
    const worker = new Worker(source, { eval: true, workerData: { urls } });
    const message = await new Promise((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
    });
    await worker.terminate();
    expect(message).toEqual({ shape: [1, 3, 48, 320], decoded: { text: 'i', confidence: 1 } });
  });
});
