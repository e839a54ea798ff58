// Preprocess for the PP-OCRv4 recogniser: { png, rotate180? } → { x: float32 [1, 3, 48, 320] }.
// The width is fixed (lines narrower than 320 after scaling are padded, wider ones squeezed) so
// that all requests have one shape and the dynamic batcher can stack them. Runs in a worker.
import { textLineTensor } from './lib/text-line-tensor.mjs';

/** The recogniser's input height and the fixed width (PaddleOCR's rec_image_shape 3,48,320). */
export const kRecShape = Object.freeze({ height: 48, width: 320 });

/**
 * @param {{ png: Uint8Array, rotate180?: boolean }} input PNG bytes of one text line; rotate180
 * turns it first (set it from the direction classifier's answer).
 * @param {unknown} [_context] { model, version }; unused.
 */
export default function preprocess(input, _context) {
  return { x: textLineTensor(input?.png, { ...kRecShape, bgr: true, rotate180: input?.rotate180 === true }) };
}
