// Question: what does the OCR pipeline (examples/ocr/) gain from inferline, end to end?
//
// 16 closed-loop callers (each awaits its line's text, then reads the next) for a fixed time, on
// PNG text lines rendered once up front. Two contenders, each in its own child process:
//   inferline: examples/ocr/pipeline.mjs — decode/resize/normalise and CTC decoding in the
//              worker pool, PP-OCR cls and PP-OCRv4 rec as batched Models;
//   obvious:   the same pipeline written the obvious way — onnxruntime-node sessions (one
//              intra-op thread each, as the event-loop bench uses) and the same pre/post-processing
//              functions called on the main thread.
// Reports lines/s, request latency p50/p99, event-loop delay p50/p99/max (monitorEventLoopDelay,
// resolution 1 ms: an idle loop reads ~1.1 ms) and CPU cores used; checks both read the same text.
//
// Usage: node bench/pipeline.mjs [--callers 16] [--seconds 6] [--contenders inferline,obvious] [--json]
// Child: node bench/pipeline.mjs --cell inferline --callers 16 --seconds 6
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { runJsonChild } from './lib/child-json.mjs';
import { environmentLines } from './lib/environment.mjs';
import { list, parseFlags } from './lib/flags.mjs';
import { fixed, markdownTable, ratio } from './lib/table.mjs';

const kSelf = fileURLToPath(import.meta.url);
const kContenders = {
  inferline: 'inferline (workers + batched Models)',
  obvious: 'onnxruntime-node, processing on the main thread',
};
// Lines the recogniser reads exactly (test/examples/ocr-processing.test.ts); two are upside down.
const kLines = [
  ['Hello World 2026', false], ['inferline', false], ['ONNX Runtime 1.30', false], ['Node.js worker threads', false],
  ['serving models from Node', true], ['batched inference', false], ['event loop', true], ['KServe v2', false],
];
// Targets of issue 5 for this bench.
const kTargetP99Ms = 5;

const flags = parseFlags(process.argv.slice(2), { callers: 16, seconds: 6, contenders: 'inferline,obvious', json: false, cell: '' });

if (flags.cell) {
  console.log(JSON.stringify(await measureCell(flags.cell, Number(flags.callers), Number(flags.seconds))));
} else {
  await main();
}

/** The obvious pipeline: onnxruntime-node and the example's processing functions, all on this thread. */
async function obviousReader() {
  const { default: ort } = await import('onnxruntime-node');
  const { kOcrModels } = await import('../examples/ocr/pipeline.mjs');
  const { default: clsPre } = await import('../examples/ocr/cls-preprocess.mjs');
  const { default: clsPost } = await import('../examples/ocr/cls-postprocess.mjs');
  const { default: recPre } = await import('../examples/ocr/rec-preprocess.mjs');
  const { default: recPost } = await import('../examples/ocr/rec-postprocess.mjs');
  const options = { intraOpNumThreads: 1, interOpNumThreads: 1 };
  const [cls, rec] = await Promise.all([ort.InferenceSession.create(kOcrModels.cls, options), ort.InferenceSession.create(kOcrModels.rec, options)]);
  const context = { model: 'ocr', version: '1' };
  const toOrt = (feeds) => Object.fromEntries(Object.entries(feeds).map(([k, f]) => [k, new ort.Tensor(f.dtype, f.data, f.shape)]));
  const fromOrt = (outputs) => Object.fromEntries(Object.entries(outputs).map(([k, t]) => [k, { dtype: t.type, data: t.data, shape: t.dims }]));
  return {
    async read(png) {
      const direction = clsPost(fromOrt(await cls.run(toOrt(clsPre({ png }, context)))), context);
      const angle = direction.angle === 180 && direction.score >= 0.9 ? 180 : 0;
      const { text, confidence } = recPost(fromOrt(await rec.run(toOrt(recPre({ png, rotate180: angle === 180 }, context)))), context);
      return { text, confidence, angle };
    },
    close: () => Promise.all([cls.release(), rec.release()]),
  };
}

async function inferlineReader() {
  const { createOcrPipeline } = await import('../examples/ocr/pipeline.mjs');
  return createOcrPipeline();
}

/** Child: one contender, `callers` closed-loop callers for `seconds`. */
async function measureCell(contender, callers, seconds) {
  const { renderTextLinePng } = await import('../examples/ocr/render-text.mjs');
  const pngs = kLines.map(([text, rotate180]) => renderTextLinePng(text, { rotate180 }));
  const reader = contender === 'inferline' ? await inferlineReader() : contender === 'obvious' ? await obviousReader() : undefined;
  if (reader === undefined) throw new Error(`unknown cell contender "${contender}"`);
  const texts = [];
  for (let i = 0; i < pngs.length; i++) texts.push((await reader.read(pngs[i])).text);  // warm-up, and what each line reads as
  await Promise.all(Array.from({ length: callers }, (_, i) => reader.read(pngs[i % pngs.length])));

  const histogram = monitorEventLoopDelay({ resolution: 1 });
  histogram.enable();
  const latencies = [];
  const cpuBefore = process.cpuUsage();
  const start = performance.now();
  const deadline = start + seconds * 1000;
  let last = start;
  const caller = async (index) => {
    for (let i = index; performance.now() < deadline; i += callers) {
      const begun = performance.now();
      await reader.read(pngs[i % pngs.length]);
      last = performance.now();
      latencies.push(last - begun);
    }
  };
  await Promise.all(Array.from({ length: callers }, (_, i) => caller(i)));
  const cpu = process.cpuUsage(cpuBefore);
  histogram.disable();
  await reader.close();
  const elapsedS = (last - start) / 1000;
  latencies.sort((a, b) => a - b);
  const quantile = (q) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))];
  return {
    lines_per_s: latencies.length / elapsedS,
    completed: latencies.length,
    latency_p50_ms: quantile(0.5),
    latency_p99_ms: quantile(0.99),
    cpu_cores: (cpu.user + cpu.system) / 1e6 / elapsedS,
    delay_p50_ms: histogram.percentile(50) / 1e6,
    delay_p99_ms: histogram.percentile(99) / 1e6,
    delay_max_ms: histogram.max / 1e6,
    texts,
  };
}

async function main() {
  const contenders = list(flags.contenders);
  for (const c of contenders) if (!(c in kContenders)) throw new Error(`unknown contender "${c}"; known: ${Object.keys(kContenders).join(', ')}`);
  const callers = Number(flags.callers);
  const seconds = Number(flags.seconds);
  console.log(`# pipeline: OCR (PP-OCR cls + PP-OCRv4 rec [N,3,48,320]) end to end, ${callers} closed-loop callers`);
  for (const line of environmentLines({ 'per cell': `${seconds} s after a warm-up round; ${kLines.length} rendered lines, 2 upside down` })) console.log(line);
  const rows = [];
  for (const contender of contenders) {
    process.stderr.write(`pipeline: ${contender} (${seconds} s)\n`);
    rows.push({ contender, ...(await runJsonChild(kSelf, ['--cell', contender, '--callers', String(callers), '--seconds', String(seconds)], { timeoutMs: (seconds + 120) * 1000 })) });
  }
  const baseline = rows.find((r) => r.contender === 'obvious');
  console.log('');
  console.log(markdownTable([
    { title: 'contender', value: (r) => kContenders[r.contender], left: true },
    { title: 'lines/s', value: (r) => fixed(r.lines_per_s, 1) },
    { title: 'vs obvious', value: (r) => ratio(r.lines_per_s, baseline?.lines_per_s) },
    { title: 'latency p50 ms', value: (r) => fixed(r.latency_p50_ms, 1) },
    { title: 'latency p99 ms', value: (r) => fixed(r.latency_p99_ms, 1) },
    { title: 'CPU cores', value: (r) => fixed(r.cpu_cores, 2) },
    { title: 'loop p50 ms', value: (r) => fixed(r.delay_p50_ms, 2) },
    { title: 'loop p99 ms', value: (r) => fixed(r.delay_p99_ms, 2) },
    { title: 'loop max ms', value: (r) => fixed(r.delay_max_ms, 2) },
  ], rows));
  const expected = kLines.map(([text]) => text);
  for (const row of rows) {
    const exact = row.texts.filter((text, i) => text === expected[i]).length;
    console.log(`- ${row.contender} read ${exact}/${expected.length} lines exactly${exact < expected.length ? `: ${JSON.stringify(row.texts)}` : ''}`);
  }
  const ours = rows.find((r) => r.contender === 'inferline');
  if (ours !== undefined && baseline !== undefined) {
    const met = ours.delay_p99_ms <= kTargetP99Ms && ours.lines_per_s > baseline.lines_per_s;
    console.log(`- target: inferline loop p99 ≤ ${kTargetP99Ms} ms at higher throughput than the obvious pipeline: ${met ? 'met' : 'NOT met'}`);
  }
  if (flags.json) console.log(JSON.stringify(rows));
}
