// A few CJK characters drawn as straight strokes, for the OCR example's test images: no CJK font
// ships in an npm package this project installs (DejaVu Sans has none), yet the recogniser's
// dictionary is Chinese-first, so tests need Chinese lines to check the class → character mapping.
// Only characters made of horizontal and vertical strokes are here.

/** One stroke's centre line [x0, y0, x1, y1] in em units, y down from the em box's top. */
const box = (x0, y0, x1, y1) => [[x0, y0, x1, y0], [x0, y1, x1, y1], [x0, y0, x0, y1], [x1, y0, x1, y1]];

/** Character → its strokes. */
export const kStrokeGlyphs = Object.freeze({
  '一': [[0.08, 0.5, 0.92, 0.5]],
  '二': [[0.18, 0.3, 0.82, 0.3], [0.08, 0.75, 0.92, 0.75]],
  '三': [[0.15, 0.18, 0.85, 0.18], [0.2, 0.5, 0.8, 0.5], [0.08, 0.85, 0.92, 0.85]],
  '十': [[0.08, 0.45, 0.92, 0.45], [0.5, 0.05, 0.5, 0.95]],
  '工': [[0.15, 0.15, 0.85, 0.15], [0.5, 0.15, 0.5, 0.85], [0.08, 0.85, 0.92, 0.85]],
  '土': [[0.18, 0.4, 0.82, 0.4], [0.5, 0.08, 0.5, 0.85], [0.05, 0.85, 0.95, 0.85]],
  '王': [[0.12, 0.12, 0.88, 0.12], [0.18, 0.5, 0.82, 0.5], [0.08, 0.88, 0.92, 0.88], [0.5, 0.12, 0.5, 0.88]],
  '口': box(0.15, 0.2, 0.85, 0.85),
  '日': [...box(0.22, 0.08, 0.78, 0.92), [0.22, 0.5, 0.78, 0.5]],
  '田': [...box(0.12, 0.12, 0.88, 0.88), [0.12, 0.5, 0.88, 0.5], [0.5, 0.12, 0.5, 0.88]],
  '中': [...box(0.12, 0.28, 0.88, 0.68), [0.5, 0.03, 0.5, 0.97]],
  '山': [[0.5, 0.1, 0.5, 0.85], [0.12, 0.35, 0.12, 0.88], [0.88, 0.35, 0.88, 0.88], [0.12, 0.85, 0.88, 0.85]],
  '上': [[0.45, 0.08, 0.45, 0.88], [0.45, 0.45, 0.8, 0.45], [0.05, 0.88, 0.95, 0.88]],
  '正': [[0.1, 0.12, 0.9, 0.12], [0.5, 0.12, 0.5, 0.88], [0.5, 0.48, 0.82, 0.48], [0.22, 0.4, 0.22, 0.88], [0.05, 0.88, 0.95, 0.88]],
  '目': [...box(0.25, 0.05, 0.75, 0.95), [0.25, 0.35, 0.75, 0.35], [0.25, 0.65, 0.75, 0.65]],
});

/** Stroke width in em: about a regular-weight CJK face's. */
const kStrokeEm = 0.08;

/**
 * Fills one glyph's strokes with the context's current fillStyle.
 * @param {{ fillRect(x: number, y: number, w: number, h: number): void }} ctx
 * @param {string} char a key of kStrokeGlyphs
 * @param {number} left the em box's left edge, pixels
 * @param {number} top the em box's top edge, pixels
 * @param {number} em the em size, pixels
 */
export function fillStrokeGlyph(ctx, char, left, top, em) {
  const half = (kStrokeEm * em) / 2;
  for (const [x0, y0, x1, y1] of kStrokeGlyphs[char]) {
    // Whole pixels: pureimage antialiases fractional rectangles into grey seams.
    const xa = Math.round(left + Math.min(x0, x1) * em - half);
    const xb = Math.round(left + Math.max(x0, x1) * em + half);
    const ya = Math.round(top + Math.min(y0, y1) * em - half);
    const yb = Math.round(top + Math.max(y0, y1) * em + half);
    ctx.fillRect(xa, ya, xb - xa, yb - ya);
  }
}
