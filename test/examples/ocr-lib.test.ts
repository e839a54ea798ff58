// The OCR example's helpers (examples/ocr/lib/): PNG decoding into RGB, bilinear resize,
// normalisation into CHW, 180° rotation, greedy CTC decoding and the recogniser's class list.
// Plain JavaScript modules: they run in the worker pool as a model's pre/postprocess code.
import { readFileSync } from 'node:fs';
import { encode } from 'fast-png';
import { describe, expect, it } from 'vitest';
import { ctcGreedyDecode } from '../../examples/ocr/lib/ctc-decode.mjs';
import { decodePngToRgb } from '../../examples/ocr/lib/decode-png-rgb.mjs';
import { normalizeToChw } from '../../examples/ocr/lib/normalize-chw.mjs';
import { loadPpocrCharset, ppocrDictionaryPath } from '../../examples/ocr/lib/ppocr-dictionary.mjs';
import { resizeBilinearRgb } from '../../examples/ocr/lib/resize-bilinear.mjs';
import { rotate180Rgb } from '../../examples/ocr/lib/rotate-180.mjs';
import { Session } from '../../src/index.js';
import { kRealModels } from '../helpers/paths.js';

describe('decodePngToRgb', () => {
  // Two pixels, [dark, light], in each PNG colour type.
  it('RGB 8-bit passes through', () => {
    const png = encode({ width: 2, height: 1, channels: 3, depth: 8, data: Uint8Array.of(10, 20, 30, 200, 210, 220) });
    expect(decodePngToRgb(png)).toEqual({ width: 2, height: 1, data: Uint8Array.of(10, 20, 30, 200, 210, 220) });
  });

  it('gray is copied to all three channels', () => {
    const png = encode({ width: 2, height: 1, channels: 1, depth: 8, data: Uint8Array.of(7, 250) });
    expect(Array.from(decodePngToRgb(png).data)).toEqual([7, 7, 7, 250, 250, 250]);
  });

  it('alpha is composited onto white (RGBA and gray+alpha)', () => {
    const rgba = encode({ width: 2, height: 1, channels: 4, depth: 8, data: Uint8Array.of(0, 0, 0, 255, 0, 100, 0, 0) });
    expect(Array.from(decodePngToRgb(rgba).data)).toEqual([0, 0, 0, 255, 255, 255]);
    const grayAlpha = encode({ width: 1, height: 1, channels: 2, depth: 8, data: Uint8Array.of(0, 51) });
    // 0 · 0.2 + 255 · 0.8 = 204
    expect(Array.from(decodePngToRgb(grayAlpha).data)).toEqual([204, 204, 204]);
  });

  it('16-bit samples keep their high byte', () => {
    const png = encode({ width: 1, height: 1, channels: 3, depth: 16, data: Uint16Array.of(0x1234, 0xabcd, 0xffff) });
    expect(Array.from(decodePngToRgb(png).data)).toEqual([0x12, 0xab, 0xff]);
  });

  it('1-bit gray is unpacked per byte-aligned row', () => {
    // 3 × 2 pixels, rows 101 and 010, each padded to one byte.
    const png = encode({ width: 3, height: 2, channels: 1, depth: 1, data: Uint8Array.of(0b1010_0000, 0b0100_0000) });
    expect(Array.from(decodePngToRgb(png).data)).toEqual([255, 255, 255, 0, 0, 0, 255, 255, 255, 0, 0, 0, 255, 255, 255, 0, 0, 0]);
  });

  it('a palette image is expanded', () => {
    const png = encode({ width: 2, height: 1, channels: 1, depth: 8, data: Uint8Array.of(1, 0), palette: [[1, 2, 3], [250, 251, 252]] });
    expect(Array.from(decodePngToRgb(png).data)).toEqual([250, 251, 252, 1, 2, 3]);
  });

  it('rejects bytes that are not a PNG', () => {
    expect(() => decodePngToRgb(Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8))).toThrow(/signature/i);
  });
});

describe('resizeBilinearRgb', () => {
  it('same size is the identity', () => {
    const src = Uint8Array.from({ length: 4 * 3 * 3 }, (_, i) => (i * 37) % 256);
    expect(Array.from(resizeBilinearRgb(src, 4, 3, 4, 3))).toEqual(Array.from(src));
  });

  it('a constant image stays constant at any size', () => {
    const src = new Uint8Array(5 * 7 * 3).fill(90);
    const out = resizeBilinearRgb(src, 5, 7, 13, 3);
    expect(out.length).toBe(13 * 3 * 3);
    expect(out.every((value) => Math.abs(value - 90) < 1e-4)).toBe(true);
  });

  it('writes into a given buffer, and refuses one too small', () => {
    const src = new Uint8Array(2 * 2 * 3).fill(40);
    const out = new Float32Array(100);
    expect(resizeBilinearRgb(src, 2, 2, 3, 3, out)).toBe(out);
    expect(Array.from(out.subarray(0, 27)).every((value) => Math.abs(value - 40) < 1e-4)).toBe(true);
    expect(() => resizeBilinearRgb(src, 2, 2, 6, 6, out)).toThrow(RangeError);
  });

  it('samples at pixel centres, as OpenCV INTER_LINEAR: 2 → 4 pixels', () => {
    // One row [0, 100] (gray). Centres of the 4 outputs map to −0.25, 0.25, 0.75, 1.25 → clamped.
    const src = Uint8Array.of(0, 0, 0, 100, 100, 100);
    const out = resizeBilinearRgb(src, 2, 1, 4, 1);
    expect(Array.from(out.filter((_, i) => i % 3 === 0))).toEqual([0, 25, 75, 100]);
  });
});

describe('normalizeToChw', () => {
  it('(x / 255 − 0.5) / 0.5 into planes, padded columns 0, RGB or BGR plane order', () => {
    // 1 × 2 image: [(0, 255, 51), (255, 0, 102)] into a tensor 3 columns wide.
    const rgb = Uint8Array.of(0, 255, 51, 255, 0, 102);
    const r = [-1, 1, 0];
    const g = [1, -1, 0];
    const b = [51 / 127.5 - 1, 102 / 127.5 - 1, 0];
    const close = (values: Float32Array) => Array.from(values, (v) => Math.round(v * 1e5) / 1e5);
    const round = (values: number[]) => values.map((v) => Math.round(v * 1e5) / 1e5);
    expect(close(normalizeToChw(rgb, 2, 1, 3))).toEqual(round([...r, ...g, ...b]));
    expect(close(normalizeToChw(rgb, 2, 1, 3, { bgr: true }))).toEqual(round([...b, ...g, ...r]));
  });
});

describe('rotate180Rgb', () => {
  it('reverses the pixel order in place, keeping each pixel\'s channels', () => {
    const rgb = Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18);
    const same = rotate180Rgb(rgb, 3, 2);
    expect(same).toBe(rgb);
    expect(Array.from(rgb)).toEqual([16, 17, 18, 13, 14, 15, 10, 11, 12, 7, 8, 9, 4, 5, 6, 1, 2, 3]);
  });
});

describe('ctcGreedyDecode', () => {
  const charset = ['', 'a', 'b', ' '];
  /** One row per step: the probabilities of [blank, a, b, space]. */
  const probabilities = (rows: number[][]) => Float32Array.from(rows.flat());

  it('collapses repeats, drops blanks, keeps a repeat split by a blank, averages kept steps', () => {
    const steps = [
      [0.1, 0.8, 0.05, 0.05], // a
      [0.1, 0.6, 0.2, 0.1], // a (repeat, collapsed)
      [0.9, 0.05, 0.05, 0], // blank
      [0.2, 0.7, 0.1, 0], // a (new: a blank came between)
      [0.1, 0.1, 0.5, 0.3], // b
      [0.0, 0.0, 0.9, 0.1], // b (repeat)
      [0.3, 0.1, 0.1, 0.5], // space
      [1, 0, 0, 0], // blank
    ];
    const result = ctcGreedyDecode(probabilities(steps), steps.length, 4, charset);
    expect(result.text).toBe('aab ');
    expect(result.confidence).toBeCloseTo((0.8 + 0.7 + 0.5 + 0.5) / 4, 6);
  });

  it('all blanks: empty text, confidence 0', () => {
    expect(ctcGreedyDecode(probabilities([[0.9, 0.1, 0, 0], [0.8, 0, 0.2, 0]]), 2, 4, charset)).toEqual({ text: '', confidence: 0 });
  });

  it('reads a sliced view at its offset', () => {
    const backing = new Float32Array(4 + 8);
    backing.set([0, 0, 1, 0, 0, 1, 0, 0], 4);
    expect(ctcGreedyDecode(backing.subarray(4), 2, 4, charset).text).toBe('ba');
  });

  it('throws RangeError when fewer probabilities than steps × classes', () => {
    expect(() => ctcGreedyDecode(new Float32Array(7), 2, 4, charset)).toThrow(RangeError);
  });
});

describe('PP-OCR dictionary', () => {
  it('6625 classes = blank + 6623 dictionary lines + space, as the recogniser outputs', async () => {
    const lines = readFileSync(ppocrDictionaryPath(), 'utf8').split('\n').filter((line) => line !== '');
    expect(lines.length).toBe(6623);
    const charset = loadPpocrCharset();
    expect(charset.length).toBe(1 + lines.length + 1);
    expect(charset[0]).toBe('');
    expect(charset[1]).toBe(lines[0]);
    expect(charset.at(-2)).toBe(lines.at(-1));
    expect(charset.at(-1)).toBe(' ');
    expect(charset.every((char, i) => i === 0 || [...char].length === 1)).toBe(true);

    const rec = await Session.create(kRealModels.ocrRec, { intraOpThreads: 1 });
    try {
      expect(rec.outputs[0]!.shape.at(-1)).toBe(charset.length);
    } finally {
      await rec.close();
    }
  });
});
