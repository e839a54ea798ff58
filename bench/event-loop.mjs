// Question: does inference stall the event loop, and what does not stalling cost in throughput?
//
// N closed-loop callers (each awaits its run, then issues the next, with its own input) on a real
// model for a fixed time, while perf_hooks.monitorEventLoopDelay({ resolution: 1 }) samples the
// loop. Contenders: inferline session.run (intraOpThreads 1) and onnxruntime-node session.run
// (intraOpNumThreads 1), each cell in its own child process; plus, for throughput only, the C++
// limit (bench/out/ort_limit with N OS threads, one session, 1 intra-op thread).
// The delay histogram's values include its own 1 ms interval: an idle loop reads about 1.1 ms.
//
// Usage: node bench/event-loop.mjs [--models rec,cls] [--callers 1,16,64]
//                                  [--contenders inferline,ortn,cpp] [--seconds S] [--filter text] [--json]
//   --seconds overrides the per-model duration (rec 4 s, cls 3 s); --filter keeps the cells whose
//   "model/callers/contender" label contains the text (e.g. --filter rec/16).
// Child: node bench/event-loop.mjs --cell inferline --models rec --callers 16 --seconds 4
import { onnxruntimeNodeCaller, sessionCaller } from './lib/callers.mjs';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { buildOrtLimit } from './native/build.mjs';
import { runJsonChild } from './lib/child-json.mjs';
import { environmentLines, ortLibraryPath } from './lib/environment.mjs';
import { list, parseFlags } from './lib/flags.mjs';
import { elementCount, model, randomFloats } from './lib/models.mjs';
import { fixed, markdownTable, ratio } from './lib/table.mjs';

const kSelf = fileURLToPath(import.meta.url);
const kContenders = {
  inferline: 'inferline run',
  ortn: 'onnxruntime-node run',
  cpp: 'C++ limit (threads)',
};
const kSecondsByModel = { rec: 4, cls: 3 };
const kWarmupCalls = 3;  // per caller, sequential, before the clock starts
// Target of the Session issue: loop delay p99 at most this, at equal or better throughput.
const kTargetP99Ms = 2;

const flags = parseFlags(process.argv.slice(2), {
  models: 'rec,cls',
  callers: '1,16,64',
  contenders: Object.keys(kContenders).join(','),
  seconds: 0,
  filter: '',
  json: false,
  cell: '',
});

if (flags.cell) {
  console.log(JSON.stringify(await measureCell(flags.cell, flags.models, Number(flags.callers), flags.seconds)));
} else {
  await main();
}

/** Child: one contender, one model, `callers` closed-loop callers for `seconds`. */
async function measureCell(contender, modelName, callers, seconds) {
  const { path, shape } = model(modelName);
  let contenderSetup;
  if (contender === 'ortn') contenderSetup = await onnxruntimeNodeCaller(path, shape);
  else if (contender === 'inferline') contenderSetup = await sessionCaller(path, shape);
  else throw new Error(`unknown cell contender "${contender}"`);
  const { makeCall, close } = contenderSetup;
  const calls = Array.from({ length: callers }, (_, i) => makeCall(randomFloats(elementCount(shape), i + 1)));
  for (let i = 0; i < kWarmupCalls; ++i) await calls[0]();
  await Promise.all(calls.map((call) => call()));

  const histogram = monitorEventLoopDelay({ resolution: 1 });
  histogram.enable();
  const cpuBefore = process.cpuUsage();
  const start = process.hrtime.bigint();
  const deadline = start + BigInt(Math.round(seconds * 1e9));
  let completed = 0;
  let last = start;
  // Closed loop: a caller issues its next run only when the previous one resolved; no new run
  // starts after the deadline, and runs in flight then are waited for and counted.
  const caller = async (call) => {
    while (process.hrtime.bigint() < deadline) {
      await call();
      ++completed;
      last = process.hrtime.bigint();
    }
  };
  await Promise.all(calls.map(caller));
  const cpu = process.cpuUsage(cpuBefore);
  histogram.disable();
  await close();
  const elapsedS = Number(last - start) / 1e9;
  return {
    items_per_s: (completed * shape[0]) / elapsedS,
    completed,
    elapsed_s: elapsedS,
    cpu_cores: (cpu.user + cpu.system) / 1e6 / elapsedS,
    delay_p50_ms: histogram.percentile(50) / 1e6,
    delay_p99_ms: histogram.percentile(99) / 1e6,
    delay_max_ms: histogram.max / 1e6,
    delay_samples: histogram.count,
  };
}

async function measure(contender, modelName, callers, seconds) {
  if (contender === 'cpp') {
    const { path, shape } = model(modelName);
    const args = ['--lib', ortLibraryPath(), '--model', path, '--shape', shape.join(','), '--mode', 'throughput',
      '--threads', String(callers), '--seconds', String(seconds), '--warmup', String(kWarmupCalls), '--intra', '1'];
    const result = await runJsonChild(buildOrtLimit(), args, { timeoutMs: (seconds + 60) * 1000 });
    const cpuCores = (result.cpu_us_per_call * result.calls) / 1e6 / result.seconds;
    return { items_per_s: result.items_per_s, completed: result.calls, elapsed_s: result.seconds, cpu_cores: cpuCores };
  }
  const args = ['--cell', contender, '--models', modelName, '--callers', String(callers), '--seconds', String(seconds)];
  return runJsonChild(kSelf, args, { timeoutMs: (seconds + 60) * 1000 });
}

/** The loop-delay histogram of a loop doing nothing, for reading the table's delay columns. */
async function idleBaseline() {
  const histogram = monitorEventLoopDelay({ resolution: 1 });
  histogram.enable();
  await new Promise((resolve) => setTimeout(resolve, 500));
  histogram.disable();
  return `idle loop reads p50 ${fixed(histogram.percentile(50) / 1e6, 2)} ms, p99 ${fixed(histogram.percentile(99) / 1e6, 2)} ms (includes the 1 ms interval)`;
}

async function main() {
  const models = list(flags.models);
  const callerCounts = list(flags.callers).map(Number);
  const contenders = list(flags.contenders);
  for (const c of contenders) if (!(c in kContenders)) throw new Error(`unknown contender "${c}"; known: ${Object.keys(kContenders).join(', ')}`);
  if (contenders.includes('cpp')) buildOrtLimit();

  console.log('# event-loop: loop delay and throughput with N closed-loop callers, 1 intra-op thread');
  const durations = models.map((m) => `${m} ${flags.seconds || kSecondsByModel[m] || 3} s`).join(', ');
  for (const line of environmentLines({ 'loop delay': await idleBaseline(), 'per cell': `${durations}; ${kWarmupCalls} warm-up calls + one concurrent round first` })) {
    console.log(line);
  }
  const rows = [];
  for (const modelName of models) {
    const seconds = flags.seconds || kSecondsByModel[modelName] || 3;
    for (const callers of callerCounts) {
      for (const contender of contenders) {
        const label = `${modelName}/${callers}/${contender}`;
        if (flags.filter && !label.includes(flags.filter)) continue;
        process.stderr.write(`event-loop: ${label} (${seconds} s)\n`);
        rows.push({ model: modelName, callers, contender, ...(await measure(contender, modelName, callers, seconds)) });
      }
    }
  }
  const ortnOf = (row) => rows.find((r) => r.model === row.model && r.callers === row.callers && r.contender === 'ortn');
  console.log('');
  console.log(markdownTable([
    { title: 'model', value: (r) => `${r.model} [${model(r.model).shape.join(',')}]`, left: true },
    { title: 'callers', value: (r) => r.callers },
    { title: 'contender', value: (r) => kContenders[r.contender], left: true },
    { title: 'items/s', value: (r) => fixed(r.items_per_s, 1) },
    { title: 'vs onnxruntime-node', value: (r) => ratio(r.items_per_s, ortnOf(r)?.items_per_s) },
    { title: 'CPU cores', value: (r) => fixed(r.cpu_cores, 2) },
    { title: 'loop p50 ms', value: (r) => fixed(r.delay_p50_ms, 2) },
    { title: 'loop p99 ms', value: (r) => fixed(r.delay_p99_ms, 2) },
    { title: 'loop max ms', value: (r) => fixed(r.delay_max_ms, 2) },
  ], rows));
  const checked = rows.filter((r) => r.contender === 'inferline');
  if (checked.length > 0) {
    const misses = checked.filter((r) => !(r.delay_p99_ms <= kTargetP99Ms) || (ortnOf(r) && r.items_per_s < ortnOf(r).items_per_s));
    console.log(`\n- target: inferline loop p99 ≤ ${kTargetP99Ms} ms at ≥ onnxruntime-node's throughput: ` +
      (misses.length === 0 ? `met in all ${checked.length} cells` : `NOT met in ${misses.map((r) => `${r.model}/${r.callers}`).join(', ')}`));
  }
  if (flags.json) console.log(JSON.stringify(rows));
}
