// Postprocess for the PP-OCRv4 recogniser: per-step class probabilities [1, T, 6625] → { text,
// confidence } by greedy CTC decoding. Runs in a worker; the dictionary is read once per worker.
import { ctcGreedyDecode } from './lib/ctc-decode.mjs';
import { loadPpocrCharset } from './lib/ppocr-dictionary.mjs';

const kCharset = loadPpocrCharset();
// Only the space class: trim() would also drop dictionary characters such as U+3000.
const kOuterSpaces = /^ +| +$/g;

/**
 * @param {Record<string, { dtype: string, data: Float32Array, shape: number[] }>} outputs one
 * request's outputs (batch row already sliced): [1, T, classes].
 * @param {unknown} [_context] { model, version }; unused.
 * @returns {{ text: string, confidence: number }} text without leading or trailing spaces (the
 * margins around a line often read as the space class); confidence: the mean probability of the
 * characters read (spaces included), 0 when none.
 */
export default function postprocess(outputs, _context) {
  const output = Object.values(outputs)[0];
  const shape = output?.shape;
  if (shape === undefined || shape.length !== 3 || shape[0] !== 1 || shape[2] !== kCharset.length) {
    throw new RangeError(
      `OCR rec postprocess: expected one output [1, T, ${kCharset.length}], received ${shape === undefined ? 'none' : `[${shape.join(', ')}]`}`,
    );
  }
  const { text, confidence } = ctcGreedyDecode(output.data, shape[1], shape[2], kCharset);
  return { text: text.replace(kOuterSpaces, ''), confidence };
}
