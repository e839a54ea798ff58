// Turns an interleaved RGB image upside down, in place: what PaddleOCR does to a line that the
// direction classifier labels 180.

/**
 * @param {Uint8Array} rgb RGB, 3 bytes per pixel; rewritten in place.
 * @param {number} width
 * @param {number} height
 * @returns {Uint8Array} the same array.
 */
export function rotate180Rgb(rgb, width, height) {
  // A 180° turn of a row-major image is the pixel sequence reversed.
  for (let i = 0, j = (width * height - 1) * 3; i < j; i += 3, j -= 3) {
    for (let c = 0; c < 3; c++) {
      const t = rgb[i + c];
      rgb[i + c] = rgb[j + c];
      rgb[j + c] = t;
    }
  }
  return rgb;
}
