// Greedy CTC decoding, as PaddleOCR's CTCLabelDecode: per time step take the most probable class,
// collapse repeats, drop the blank (class 0), map the rest to characters.

/**
 * @param {Float32Array} probabilities [steps, classes], row-major (one request's output).
 * @param {number} steps
 * @param {number} classes
 * @param {readonly string[]} charset class index → character; index 0 is the blank.
 * @returns {{ text: string, confidence: number }} confidence: the mean probability of the kept
 * characters' steps, 0 when nothing was read.
 */
export function ctcGreedyDecode(probabilities, steps, classes, charset) {
  if (probabilities.length < steps * classes) {
    throw new RangeError(`ctcGreedyDecode: expected ${steps}×${classes} probabilities, received ${probabilities.length}`);
  }
  let text = '';
  let confidenceSum = 0;
  let kept = 0;
  let previous = -1;
  for (let t = 0; t < steps; t++) {
    const row = t * classes;
    let best = 0;
    let bestValue = probabilities[row];
    for (let k = 1; k < classes; k++) {
      const value = probabilities[row + k];
      if (value > bestValue) {
        bestValue = value;
        best = k;
      }
    }
    if (best !== 0 && best !== previous) {
      text += charset[best] ?? '';
      confidenceSum += bestValue;
      kept++;
    }
    previous = best;
  }
  return { text, confidence: kept === 0 ? 0 : confidenceSum / kept };
}
