// Postprocess for the PP-OCR direction classifier: softmax [1, 2] over labels '0' and '180' →
// { angle, score }. Runs in a worker of the model's pool.

/** The classifier's labels, by output index (PaddleOCR's label_list). */
export const kClsAngles = Object.freeze([0, 180]);

/**
 * @param {Record<string, { dtype: string, data: Float32Array, shape: number[] }>} outputs one
 * request's outputs (batch row already sliced).
 * @param {unknown} [_context] { model, version }; unused.
 * @returns {{ angle: 0 | 180, score: number }} the likelier direction and its probability. A
 * caller that wants PaddleOCR's behaviour turns the line only when angle is 180 and score > 0.9.
 */
export default function postprocess(outputs, _context) {
  const output = Object.values(outputs)[0];
  if (output === undefined || output.data.length < 2) {
    throw new RangeError(`OCR cls postprocess: expected one output of 2 probabilities, received ${output?.data.length ?? 'none'}`);
  }
  const [p0, p180] = output.data;
  return p180 > p0 ? { angle: 180, score: p180 } : { angle: 0, score: p0 };
}
