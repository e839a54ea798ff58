// Preprocess for the PP-OCR text-line direction classifier (ch_ppocr_mobile_v2.0_cls):
// { png } → { x: float32 [1, 3, 48, 192] }. Runs in a worker of the model's pool.
import { textLineTensor } from './lib/text-line-tensor.mjs';

/** The classifier's input height and width (PaddleOCR's cls_image_shape 3,48,192). */
export const kClsShape = Object.freeze({ height: 48, width: 192 });

/**
 * @param {{ png: Uint8Array }} input PNG bytes of one text line (RGB, RGBA, gray, palette).
 * @param {unknown} [_context] { model, version }; unused.
 */
export default function preprocess(input, _context) {
  return { x: textLineTensor(input?.png, { ...kClsShape, bgr: true }) };
}
