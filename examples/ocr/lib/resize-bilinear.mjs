// Bilinear resize of 8-bit interleaved RGB, sampling as OpenCV's INTER_LINEAR does (pixel centres
// aligned, no antialiasing), so that our inputs match what PaddleOCR's models were trained on.

/**
 * @param {Uint8Array} src RGB, 3 bytes per pixel.
 * @param {number} srcWidth
 * @param {number} srcHeight
 * @param {number} dstWidth
 * @param {number} dstHeight
 * @param {Float32Array} [out] where to write (at least dstWidth × dstHeight × 3 long); a scratch
 * buffer reused across calls saves allocating and zeroing one per request.
 * @returns {Float32Array} RGB at dstWidth × dstHeight, values in [0, 255] (kept as floats: the
 * next step normalises them, so rounding to bytes here would only lose precision); `out` when
 * given, else a new array.
 */
export function resizeBilinearRgb(src, srcWidth, srcHeight, dstWidth, dstHeight, out = new Float32Array(dstWidth * dstHeight * 3)) {
  if (out.length < dstWidth * dstHeight * 3) {
    throw new RangeError(`resizeBilinearRgb: out holds ${out.length} values, ${dstWidth}×${dstHeight}×3 needed`);
  }
  // Per output column and row: the near and far source offsets and the far weight, computed once.
  const [x0s, x1s, xWeights] = axisTaps(srcWidth, dstWidth, 3);
  const [y0s, y1s, yWeights] = axisTaps(srcHeight, dstHeight, srcWidth * 3);
  let o = 0;
  for (let y = 0; y < dstHeight; y++) {
    const row0 = y0s[y];
    const row1 = y1s[y];
    const wy = yWeights[y];
    for (let x = 0; x < dstWidth; x++, o += 3) {
      // Four neighbours' first bytes; channels unrolled (this loop is most of preprocessing).
      const a = row0 + x0s[x];
      const b = row0 + x1s[x];
      const c = row1 + x0s[x];
      const d = row1 + x1s[x];
      const wx = xWeights[x];
      const w00 = (1 - wx) * (1 - wy);
      const w01 = wx * (1 - wy);
      const w10 = (1 - wx) * wy;
      const w11 = wx * wy;
      out[o] = src[a] * w00 + src[b] * w01 + src[c] * w10 + src[d] * w11;
      out[o + 1] = src[a + 1] * w00 + src[b + 1] * w01 + src[c + 1] * w10 + src[d + 1] * w11;
      out[o + 2] = src[a + 2] * w00 + src[b + 2] * w01 + src[c + 2] * w10 + src[d + 2] * w11;
    }
  }
  return out;
}

/** For each output index along one axis: the two source offsets (× stride) and the far weight. */
function axisTaps(srcSize, dstSize, stride) {
  const near = new Int32Array(dstSize);
  const far = new Int32Array(dstSize);
  const weights = new Float64Array(dstSize);
  const scale = srcSize / dstSize;
  for (let i = 0; i < dstSize; i++) {
    let position = (i + 0.5) * scale - 0.5;
    if (position < 0) position = 0;
    let index = Math.floor(position);
    if (index >= srcSize - 1) {
      index = srcSize - 1;
      position = index;
    }
    near[i] = index * stride;
    far[i] = Math.min(index + 1, srcSize - 1) * stride;
    weights[i] = position - index;
  }
  return [near, far, weights];
}
