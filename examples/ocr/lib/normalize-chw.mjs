// PaddleOCR's normalisation, (x / 255 − 0.5) / 0.5, from interleaved HWC pixels into a planar CHW
// tensor that may be wider than the image: the columns past the image stay 0 (PaddleOCR pads with
// zeros after normalising, i.e. with mid-grey).

/**
 * @param {Float32Array | Uint8Array} rgb interleaved RGB, 3 values per pixel in [0, 255].
 * @param {number} width image width (≤ tensorWidth)
 * @param {number} height image height (= the tensor's height)
 * @param {number} tensorWidth the tensor's width W
 * @param {{ bgr?: boolean }} [options] bgr: write the planes in B, G, R order, as PaddleOCR feeds
 * the images that cv2 decodes.
 * @returns {Float32Array} [3, height, tensorWidth]
 */
export function normalizeToChw(rgb, width, height, tensorWidth, options = {}) {
  const plane = height * tensorWidth;
  const out = new Float32Array(3 * plane);
  // Plane offset for source channel c (0 = R, 1 = G, 2 = B).
  const planeOf = options.bgr ? [2 * plane, plane, 0] : [0, plane, 2 * plane];
  for (let c = 0; c < 3; c++) {
    const base = planeOf[c];
    for (let y = 0; y < height; y++) {
      let s = y * width * 3 + c;
      const row = base + y * tensorWidth;
      for (let x = 0; x < width; x++, s += 3) out[row + x] = rgb[s] / 127.5 - 1;
    }
  }
  return out;
}
