// Reads text lines with the OCR pipeline (pipeline.mjs): PNG files named on the command line, or,
// with none, a few lines this script renders itself (two of them upside down).
//
//   node examples/ocr/read-lines.mjs [line.png ...]
import { readFile } from 'node:fs/promises';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { createOcrPipeline } from './pipeline.mjs';
import { renderTextLinePng } from './render-text.mjs';

const files = process.argv.slice(2);
const lines = files.length > 0
  ? await Promise.all(files.map(async (file) => ({ label: file, png: await readFile(file) })))
  : [['Hello World 2026', false], ['inferline', false], ['ONNX Runtime 1.30', true], ['PP-OCR 中日', false], ['serving models from Node', true]]
    .map(([text, rotate180]) => ({ label: `rendered "${text}"${rotate180 ? ' (upside down)' : ''}`, png: renderTextLinePng(text, { rotate180 }) }));

const ocr = await createOcrPipeline();
const loop = monitorEventLoopDelay({ resolution: 1 });
loop.enable();
const started = performance.now();
const results = await Promise.all(lines.map((line) => ocr.read(line.png)));
const elapsedMs = performance.now() - started;
loop.disable();
for (let i = 0; i < lines.length; i++) {
  const { text, confidence, angle } = results[i];
  console.log(`${lines[i].label}: "${text}" (confidence ${confidence.toFixed(3)}${angle === 180 ? ', turned 180°' : ''})`);
}
console.log(`${lines.length} lines in ${elapsedMs.toFixed(0)} ms, read concurrently; event loop delay max ${(loop.max / 1e6).toFixed(1)} ms`);
await ocr.close();
