// Draws a text line and returns it as PNG bytes: the OCR example's test images. pureimage
// rasterises DejaVu Sans (from dejavu-fonts-ttf); the CJK characters DejaVu lacks come from the
// straight-stroke set in stroke-glyphs.mjs; fast-png encodes in memory.
import { createRequire } from 'node:module';
import { encode } from 'fast-png';
import * as PImage from 'pureimage';
import { rotate180Rgb } from './lib/rotate-180.mjs';
import { fillStrokeGlyph, kStrokeGlyphs } from './stroke-glyphs.mjs';

const kFamily = 'DejaVu Sans (inferline OCR)';
let registered;

/** The DejaVu Sans font, registered with pureimage once per thread. */
function dejaVu() {
  if (registered === undefined) {
    // dejavu-fonts-ttf has no exports map, so its files resolve directly.
    const path = createRequire(import.meta.url).resolve('dejavu-fonts-ttf/ttf/DejaVuSans.ttf');
    registered = PImage.registerFont(path, kFamily).loadSync();
  }
  return registered.font;
}

/**
 * Splits text into runs that DejaVu draws and single characters drawn from stroke glyphs.
 * @returns {Array<{ text: string, stroke: boolean }>}
 */
function runsOf(text, font) {
  const runs = [];
  for (const char of text) {
    const stroke = font.charToGlyphIndex(char) === 0;
    if (stroke && !(char in kStrokeGlyphs)) {
      throw new RangeError(`renderTextLinePng: no glyph for ${JSON.stringify(char)} (U+${char.codePointAt(0).toString(16).toUpperCase()}) in DejaVu Sans nor in stroke-glyphs.mjs`);
    }
    const last = runs.at(-1);
    if (!stroke && last !== undefined && !last.stroke) last.text += char;
    else runs.push({ text: char, stroke });
  }
  return runs;
}

/**
 * @param {string} text
 * @param {{ height?: number, fontSize?: number, rotate180?: boolean, color?: string,
 *   background?: string }} [options] height: image height in pixels (default 48); fontSize: in
 * pixels (default 0.6 × height); rotate180: turn the finished line upside down; color and
 * background: CSS colours (default black on white).
 * @returns {Uint8Array} an 8-bit RGB PNG.
 * @example
 * const png = renderTextLinePng('Hello World 2026', { height: 48 });
 */
export function renderTextLinePng(text, options = {}) {
  const font = dejaVu();
  const height = options.height ?? 48;
  const fontSize = options.fontSize ?? Math.round(height * 0.6);
  const margin = Math.round(fontSize * 0.4);
  const ctx0 = PImage.make(1, 1).getContext('2d');
  ctx0.font = `${fontSize}px ${kFamily}`;
  const runs = runsOf(text, font);
  // A stroke glyph is a full-width em square.
  const advances = runs.map((run) => (run.stroke ? fontSize : ctx0.measureText(run.text).width));
  const width = Math.ceil(advances.reduce((sum, advance) => sum + advance, 0)) + 2 * margin;

  const bitmap = PImage.make(width, height);
  const ctx = bitmap.getContext('2d');
  ctx.fillStyle = options.background ?? '#ffffff';
  ctx.fillRect(0, 0, width, height);
  ctx.fillStyle = options.color ?? '#000000';
  ctx.font = `${fontSize}px ${kFamily}`;
  // Centre the font's em box vertically (descender is negative, in font units).
  const ascent = (font.ascender / font.unitsPerEm) * fontSize;
  const descent = (font.descender / font.unitsPerEm) * fontSize;
  const baseline = Math.round(height / 2 + (ascent + descent) / 2);
  let x = margin;
  runs.forEach((run, i) => {
    // CJK em box: about 0.88 em above the baseline and 0.12 em below.
    if (run.stroke) fillStrokeGlyph(ctx, run.text, x, baseline - 0.88 * fontSize, fontSize);
    else ctx.fillText(run.text, x, baseline);
    x += advances[i];
  });

  const rgb = new Uint8Array(width * height * 3);
  const rgba = bitmap.data;
  for (let s = 0, o = 0; o < rgb.length; s += 4, o += 3) {
    rgb[o] = rgba[s];
    rgb[o + 1] = rgba[s + 1];
    rgb[o + 2] = rgba[s + 2];
  }
  if (options.rotate180) rotate180Rgb(rgb, width, height);
  return encode({ width, height, data: rgb, channels: 3, depth: 8 });
}
