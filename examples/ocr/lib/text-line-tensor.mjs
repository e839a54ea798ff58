// PaddleOCR's text-line input: scale the line to the model's height keeping its aspect ratio
// (width = ceil(height × w / h), at most the tensor's width), normalise, and pad the remaining
// columns with 0. Shared by the direction classifier and the recogniser.
import { decodePngToRgb } from './decode-png-rgb.mjs';
import { normalizeToChw } from './normalize-chw.mjs';
import { resizeBilinearRgb } from './resize-bilinear.mjs';
import { rotate180Rgb } from './rotate-180.mjs';

// The resized line, reused across calls: allocating and zeroing a fresh 180 KB array per request
// cost as much as the resize itself. Safe because a thread runs one call at a time and nothing
// keeps a reference past the call (the returned tensor is a new array).
let scratch = new Float32Array(0);

/**
 * @param {Uint8Array} png PNG file bytes of one text line.
 * @param {{ height: number, width: number, bgr: boolean, rotate180?: boolean }} shape the tensor's
 * height and width; bgr: channel order of the planes; rotate180: turn the line first.
 * @returns {{ dtype: 'float32', data: Float32Array, shape: number[] }} [1, 3, height, width]
 */
export function textLineTensor(png, { height, width, bgr, rotate180 = false }) {
  if (!(png instanceof Uint8Array)) {
    throw new TypeError(`OCR preprocess: expected input.png to be a Uint8Array of PNG bytes, received ${describe(png)}`);
  }
  const image = decodePngToRgb(png);
  if (image.width === 0 || image.height === 0) {
    throw new RangeError(`OCR preprocess: the PNG is empty (${image.width}×${image.height})`);
  }
  if (rotate180) rotate180Rgb(image.data, image.width, image.height);
  const scaledWidth = Math.max(1, Math.min(width, Math.ceil((height * image.width) / image.height)));
  if (scratch.length < scaledWidth * height * 3) scratch = new Float32Array(scaledWidth * height * 3);
  const resized = resizeBilinearRgb(image.data, image.width, image.height, scaledWidth, height, scratch);
  const data = normalizeToChw(resized, scaledWidth, height, width, { bgr });
  return { dtype: 'float32', data, shape: [1, 3, height, width] };
}

function describe(value) {
  if (value === null) return 'null';
  if (ArrayBuffer.isView(value)) return value.constructor.name;
  return typeof value;
}
