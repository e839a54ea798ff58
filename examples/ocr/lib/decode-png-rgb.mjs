// Decodes PNG file bytes into 8-bit interleaved RGB, whatever the PNG's colour type and depth:
// the one pixel format the rest of the OCR pipeline reads.
import { convertIndexedToRgb, decode } from 'fast-png';

/**
 * @param {Uint8Array} png PNG file bytes.
 * @returns {{ width: number, height: number, data: Uint8Array }} RGB, 3 bytes per pixel, row-major,
 * in a buffer the caller owns (may be modified in place).
 * Alpha is composited onto white: a text line drawn on a transparent background reads as dark on
 * light, as PP-OCR's models were trained on (cv2.imread drops alpha and shows whatever colour
 * lies under transparent pixels, often black).
 */
export function decodePngToRgb(png) {
  const image = decode(png);
  const { width, height } = image;
  const pixelCount = width * height;
  if (image.palette !== undefined) {
    const rgb = convertIndexedToRgb(image);
    return { width, height, data: toRgb(rgb, pixelCount, image.palette[0].length, 8) };
  }
  // The common case needs no conversion: hand fast-png's own buffer on.
  if (image.channels === 3 && image.depth === 8) return { width, height, data: image.data };
  let samples = image.data;
  if (image.depth < 8) samples = unpackGray(samples, width, height, image.depth);
  return { width, height, data: toRgb(samples, pixelCount, image.channels, image.depth === 16 ? 16 : 8) };
}

/** Any of gray, gray+alpha, RGB, RGBA at 8 or 16 bits → 8-bit RGB over white. */
function toRgb(samples, pixelCount, channels, depth) {
  const out = new Uint8Array(pixelCount * 3);
  const shift = depth === 16 ? 8 : 0;
  const hasAlpha = channels === 2 || channels === 4;
  const maxAlpha = depth === 16 ? 65535 : 255;
  for (let p = 0, s = 0, o = 0; p < pixelCount; p++, s += channels, o += 3) {
    let r, g, b;
    if (channels <= 2) {
      r = g = b = samples[s] >> shift;
    } else {
      r = samples[s] >> shift;
      g = samples[s + 1] >> shift;
      b = samples[s + 2] >> shift;
    }
    if (hasAlpha) {
      const alpha = samples[s + channels - 1];
      if (alpha !== maxAlpha) {
        // out = value·a + 255·(1 − a), a in [0, 1].
        const a = alpha / maxAlpha;
        const white = 255 * (1 - a);
        r = Math.round(r * a + white);
        g = Math.round(g * a + white);
        b = Math.round(b * a + white);
      }
    }
    out[o] = r;
    out[o + 1] = g;
    out[o + 2] = b;
  }
  return out;
}

/** 1-, 2- or 4-bit gray (rows padded to whole bytes) → one 8-bit sample per pixel. */
function unpackGray(packed, width, height, depth) {
  const out = new Uint8Array(width * height);
  const bytesPerRow = Math.ceil((width * depth) / 8);
  const max = (1 << depth) - 1;
  const scale = 255 / max;
  for (let y = 0; y < height; y++) {
    const row = y * bytesPerRow;
    for (let x = 0; x < width; x++) {
      const bit = x * depth;
      const byte = packed[row + (bit >> 3)];
      const value = (byte >> (8 - depth - (bit & 7))) & max;
      out[y * width + x] = Math.round(value * scale);
    }
  }
  return out;
}
