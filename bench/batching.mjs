// Question: how close do single-item callers get to the C++ limit when inferline batches them?
//
// N closed-loop callers (each awaits its request, then sends the next; one [1,...] input per
// caller, created once) for a fixed time, on the MLP [1,256] and PP-OCR cls [1,3,48,192].
// Contenders, each cell in its own child process:
//   model    inferline Model.infer with dynamic batching (instances and intra-op threads: the
//            Model defaults, 3 × 1 on 2 cores; maxBatchSize per model, below)
//   session  inferline Session.run, no batching (one session, intraOpThreads 1)
//   ortn     onnxruntime-node InferenceSession.run (intraOpNumThreads 1)
//   cpp      the C++ limit's best batched throughput: bench/out/ort_limit --mode throughput with
//            2 caller threads × 1 intra-op thread at each batch size of the model's sweep; the
//            best batch size wins (it does not depend on the callers, so it runs once per model).
// Per request: p50/p99 latency (ms, from the call to its promise resolving); for Model, the mean
// batch size over the measured window from model.stats().
//
// Usage: node bench/batching.mjs [--models mlp,cls] [--callers 1,8,64]
//                                [--contenders model,session,ortn,cpp] [--seconds 4]
//                                [--rounds 1] [--filter text] [--json]
//   --filter keeps the cells whose "model/callers/contender" label contains the text
//   (e.g. --filter mlp/64); the C++ sweep's label is "model/cpp".
//   Tuning the Model contender (defaults: the per-model settings below):
//     [--max-batch N] [--delay-micros N] [--instances N] [--preferred 8,16]
// Child: node bench/batching.mjs --cell model --models mlp --callers 64 --seconds 4
// Env: INFERLINE_THREADS, INFERLINE_SPIN_MICROS and INFERLINE_THREAD_PRIORITY pass through to the
// inferline children (all three are printed with the environment).
import { onnxruntimeNodeCaller, sessionCaller } from './lib/callers.mjs';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { buildOrtLimit } from './native/build.mjs';
import { runJsonChild } from './lib/child-json.mjs';
import { environmentLines, ortLibraryPath } from './lib/environment.mjs';
import { list, parseFlags } from './lib/flags.mjs';
import { elementCount, model, randomFloats } from './lib/models.mjs';
import { combineRounds } from './lib/rounds.mjs';
import { fixed, markdownTable, ratio } from './lib/table.mjs';

const kSelf = fileURLToPath(import.meta.url);
const kContenders = {
  model: 'inferline Model.infer (batching)',
  session: 'inferline Session.run',
  ortn: 'onnxruntime-node run',
  cpp: 'C++ limit, best batch',
};
// Per model: the Model contender's maxBatchSize and the C++ limit's batch-size sweep.
// cls: maxBatchSize 4, 8 and 16 measured within noise of each other at 64 callers (2 rounds, 3 s:
// 2233/1971, 2301/2152, 2045/2191 items/s; the C++ sweep is as flat, batch 4-16 at ±2%): 8 was
// best or tied in both rounds, and waits half as long behind a running batch as 16 does.
const kSettings = {
  mlp: { maxBatchSize: 64, cppBatches: [1, 8, 16, 32, 64] },
  cls: { maxBatchSize: 8, cppBatches: [1, 4, 8, 16] },
};
const kCores = 2;            // the C++ limit's caller threads; Model's instances by default
const kWarmupCalls = 3;      // per caller, sequential, before the concurrent warm-up
const kWarmupSeconds = 0.5;  // closed-loop warm-up with all callers (arenas grow to batch sizes)
const kCppWarmupCalls = 20;  // per ort_limit caller thread
// Targets of the batching issue, printed under the tables (each only when its cells ran).
const kTargetCallers = 64;          // the throughput targets are taken at this many callers
const kClsVsCpp = 0.85;             // cls, 64 callers: Model ≥ 85% of the C++ best
const kMlpVsCpp = 0.5;              // mlp, 64 callers: Model ≥ 50% of the C++ best...
const kMlpVsOrtn = 5;               // ...and ≥ 5× onnxruntime-node
const kLatencyRatio = 1.05;         // 1 caller: Model p50 ≤ 1.05 × Session p50 + 5 µs
const kLatencySlackMs = 0.005;

const flags = parseFlags(process.argv.slice(2), {
  models: 'mlp,cls',
  callers: '1,8,64',
  contenders: Object.keys(kContenders).join(','),
  seconds: 4,
  rounds: 1,
  filter: '',
  json: false,
  'max-batch': 0,
  'delay-micros': 0,
  instances: 0, // 0: Model's own default (one per core plus one, intraOpThreads by the thread budget)
  preferred: '',
  cell: '',
});

if (flags.cell) {
  console.log(JSON.stringify(await measureCell(flags.cell, flags.models, Number(flags.callers), flags.seconds)));
} else {
  await main();
}

/** The Model contender's options for `modelName`, with the tuning flags applied. */
function modelOptions(modelName, path) {
  const batching = { maxBatchSize: flags['max-batch'] || kSettings[modelName].maxBatchSize, maxQueueDelayMicros: flags['delay-micros'] };
  if (flags.preferred) batching.preferredBatchSizes = list(flags.preferred).map(Number);
  const instances = flags.instances > 0 ? { count: flags.instances } : undefined;
  return { name: modelName, path, batching, instances, session: flags.instances > 0 ? { intraOpThreads: 1 } : undefined };
}

/** CPU seconds of this process's main (JS) thread so far, from /proc (Linux; undefined elsewhere). */
function mainThreadCpuSeconds() {
  try {
    const stat = readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8');
    // Fields after the ")" that closes the command name: utime and stime are the 12th and 13th.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100; // clock ticks: USER_HZ is 100 on Linux
  } catch {
    return undefined;
  }
}

/** Child: one contender, one model, `callers` closed-loop single-item callers for `seconds`. */
async function measureCell(contender, modelName, callers, seconds) {
  const { path, shape } = model(modelName);
  let makeCall;
  let close;
  let stats = () => undefined;
  if (contender === 'ortn' || contender === 'session') {
    ({ makeCall, close } = await (contender === 'ortn' ? onnxruntimeNodeCaller : sessionCaller)(path, shape));
  } else if (contender === 'model') {
    const { Model, Tensor } = await import('../dist/index.js');
    const loaded = await Model.load(modelOptions(modelName, path));
    const name = loaded.inputs[0].name;
    makeCall = (data) => {
      const feeds = { [name]: new Tensor('float32', data, shape) };
      return () => loaded.infer(feeds);
    };
    close = () => loaded.unload();
    stats = () => loaded.stats();
  } else {
    throw new Error(`unknown cell contender "${contender}"`);
  }
  const calls = Array.from({ length: callers }, (_, i) => makeCall(randomFloats(elementCount(shape), i + 1)));
  for (let i = 0; i < kWarmupCalls; ++i) await calls[0]();

  // Closed loop until `until` (ms, performance.now()); a caller sends its next request only when
  // the previous one resolved, and requests in flight at the deadline are waited for and counted.
  const latenciesMs = [];
  const loop = async (until, record) => {
    let last = performance.now();
    await Promise.all(calls.map(async (call) => {
      while (performance.now() < until) {
        const sent = performance.now();
        await call();
        const done = performance.now();
        if (record) latenciesMs.push(done - sent);
        last = done;
      }
    }));
    return last;
  };
  await loop(performance.now() + kWarmupSeconds * 1000, false);

  const before = stats();
  const cpuBefore = process.cpuUsage();
  const mainCpuBefore = mainThreadCpuSeconds();
  const start = performance.now();
  const last = await loop(start + seconds * 1000, true);
  const cpu = process.cpuUsage(cpuBefore);
  const mainCpu = mainThreadCpuSeconds();
  const after = stats();
  await close();

  const elapsedS = (last - start) / 1000;
  const sorted = Float64Array.from(latenciesMs).sort();
  const percentile = (p) => sorted[Math.min(sorted.length - 1, Math.round(p * (sorted.length - 1)))];
  const result = {
    items_per_s: (sorted.length * shape[0]) / elapsedS,
    requests: sorted.length,
    elapsed_s: elapsedS,
    p50_ms: percentile(0.5),
    p99_ms: percentile(0.99),
    cpu_cores: (cpu.user + cpu.system) / 1e6 / elapsedS,
    main_thread_cores: mainCpu === undefined || mainCpuBefore === undefined ? undefined : (mainCpu - mainCpuBefore) / elapsedS,
  };
  if (before !== undefined) {
    const executions = after.executions - before.executions;
    result.mean_batch = (after.inferences - before.inferences) / executions;
    result.batches_per_s = executions / elapsedS;
    // Whole-load means (warm-up included): where a request's time goes, queue vs ONNX Runtime.
    result.queue_mean_us = after.queueMicros.mean;
    result.compute_mean_us = after.computeMicros.mean;
  }
  return result;
}

/** One ort_limit run: 2 caller threads × 1 intra-op thread, closed loop at `batch` rows per call. */
async function measureCpp(modelName, batch, seconds) {
  const { path, shape } = model(modelName);
  const batched = [batch, ...shape.slice(1)];
  const args = ['--lib', ortLibraryPath(), '--model', path, '--shape', batched.join(','), '--mode', 'throughput',
    '--threads', String(kCores), '--intra', '1', '--seconds', String(seconds), '--warmup', String(kCppWarmupCalls)];
  const result = await runJsonChild(buildOrtLimit(), args, { timeoutMs: (seconds + 60) * 1000 });
  return { items_per_s: result.items_per_s, cpu_cores: (result.cpu_us_per_call * result.calls) / 1e6 / result.seconds };
}

async function measure(contender, modelName, callers, seconds) {
  const args = ['--cell', contender, '--models', modelName, '--callers', String(callers), '--seconds', String(seconds),
    '--max-batch', String(flags['max-batch']), '--delay-micros', String(flags['delay-micros']),
    '--instances', String(flags.instances)];
  if (flags.preferred) args.push('--preferred', flags.preferred);
  return runJsonChild(kSelf, args, { timeoutMs: (seconds + kWarmupSeconds + 60) * 1000 });
}

async function main() {
  const models = list(flags.models);
  const callerCounts = list(flags.callers).map(Number);
  const contenders = list(flags.contenders);
  for (const c of contenders) if (!(c in kContenders)) throw new Error(`unknown contender "${c}"; known: ${Object.keys(kContenders).join(', ')}`);
  for (const m of models) if (!(m in kSettings)) throw new Error(`no batching settings for model "${m}"; known: ${Object.keys(kSettings).join(', ')}`);
  if (contenders.includes('cpp')) buildOrtLimit();

  // Every measurement to make, in order; rounds repeat the whole list (interleaving contenders).
  const cells = [];
  for (const modelName of models) {
    if (contenders.includes('cpp') && (!flags.filter || `${modelName}/cpp`.includes(flags.filter))) {
      for (const batch of kSettings[modelName].cppBatches) cells.push({ model: modelName, contender: 'cpp', batch });
    }
    for (const callers of callerCounts) {
      for (const contender of contenders) {
        if (contender === 'cpp') continue;
        if (flags.filter && !`${modelName}/${callers}/${contender}`.includes(flags.filter)) continue;
        cells.push({ model: modelName, contender, callers });
      }
    }
  }

  console.log('# batching: N closed-loop single-item callers vs the C++ limit batched, 2 cores');
  const tuned = models.map((m) => {
    const { batching } = modelOptions(m, '');
    const preferred = batching.preferredBatchSizes ? `, preferredBatchSizes [${batching.preferredBatchSizes}]` : '';
    return `${m} maxBatchSize ${batching.maxBatchSize}${preferred}`;
  }).join('; ');
  const extra = {
    'Model contender': `${tuned}; maxQueueDelayMicros ${flags['delay-micros']}; ${flags.instances > 0 ? `instances ${flags.instances} × intraOpThreads 1` : 'instances and threads: Model defaults'}; ` +
      `INFERLINE_THREAD_PRIORITY=${process.env.INFERLINE_THREAD_PRIORITY ?? 'default (idle)'}`,
    'C++ limit': `ort_limit --mode throughput, ${kCores} threads × 1 intra-op thread, batch sweep ${models.map((m) => `${m} [${kSettings[m].cppBatches}]`).join(', ')}; best shown`,
    'per cell': `${flags.seconds} s measured after ${kWarmupCalls} calls + ${kWarmupSeconds} s closed-loop warm-up, each in its own process; ${flags.rounds > 1 ? `median of ${flags.rounds} rounds` : 'one round'}`,
  };
  for (const line of environmentLines(extra)) console.log(line);

  const results = new Map(cells.map((cell) => [cell, []]));
  for (let round = 0; round < flags.rounds; ++round) {
    for (const cell of cells) {
      const label = cell.contender === 'cpp' ? `${cell.model}/cpp batch ${cell.batch}` : `${cell.model}/${cell.callers}/${cell.contender}`;
      process.stderr.write(`batching: ${label} (${flags.seconds} s)${flags.rounds > 1 ? `, round ${round + 1}` : ''}\n`);
      // Sequential on purpose: two measurements at once would share the 2 cores.
      const result = cell.contender === 'cpp'
        ? await measureCpp(cell.model, cell.batch, flags.seconds)
        : await measure(cell.contender, cell.model, cell.callers, flags.seconds);
      results.get(cell).push(result);
    }
  }
  const measured = cells.map((cell) => ({ ...cell, ...combineRounds(results.get(cell)) }));

  const all = [];
  const targets = [];
  for (const modelName of models) {
    const { shape, what } = model(modelName);
    const sweep = measured.filter((r) => r.model === modelName && r.contender === 'cpp');
    const best = sweep.reduce((a, b) => (a === undefined || b.items_per_s > a.items_per_s ? b : a), undefined);
    const rows = measured.filter((r) => r.model === modelName && r.contender !== 'cpp');
    if (best !== undefined) rows.push({ ...best, callers: undefined });
    if (rows.length === 0) continue;
    const ortnOf = (row) => rows.find((r) => r.callers === row.callers && r.contender === 'ortn');
    console.log(`\n## ${modelName}: ${what}, single-item requests float32 [${shape.join(',')}]\n`);
    if (sweep.length > 0) {
      const points = sweep.map((r) => `batch ${r.batch} ${fixed(r.items_per_s, 0)}`).join(', ');
      console.log(`C++ limit sweep (items/s): ${points}; best: batch ${best.batch}\n`);
    }
    console.log(markdownTable([
      { title: 'callers', value: (r) => r.callers ?? '—' },
      { title: 'contender', value: (r) => (r.contender === 'cpp' ? `C++ limit, batch ${r.batch} × ${kCores} threads` : kContenders[r.contender]), left: true },
      { title: 'items/s', value: (r) => fixed(r.items_per_s, 0) },
      { title: 'p50 ms', value: (r) => fixed(r.p50_ms, 3) },
      { title: 'p99 ms', value: (r) => fixed(r.p99_ms, 3) },
      { title: 'vs onnxruntime-node', value: (r) => ratio(r.items_per_s, ortnOf(r)?.items_per_s) },
      { title: 'vs C++ best batched', value: (r) => ratio(r.items_per_s, best?.items_per_s) },
      { title: 'mean batch', value: (r) => (r.contender === 'cpp' ? String(r.batch) : fixed(r.mean_batch, 1)) },
      { title: 'CPU cores', value: (r) => fixed(r.cpu_cores, 2) },
      { title: 'JS thread cores', value: (r) => fixed(r.main_thread_cores, 2) },
    ], rows));
    const find = (callers, contender) => rows.find((r) => r.callers === callers && r.contender === contender);
    const modelTop = find(kTargetCallers, 'model');
    if (modelName === 'cls' && modelTop && best) {
      targets.push([`cls, ${kTargetCallers} callers: Model ≥ ${kClsVsCpp * 100}% of the C++ best`, ratio(modelTop.items_per_s, best.items_per_s), modelTop.items_per_s >= kClsVsCpp * best.items_per_s]);
    }
    if (modelName === 'mlp' && modelTop && best) {
      targets.push([`mlp, ${kTargetCallers} callers: Model ≥ ${kMlpVsCpp * 100}% of the C++ best batched`, ratio(modelTop.items_per_s, best.items_per_s), modelTop.items_per_s >= kMlpVsCpp * best.items_per_s]);
    }
    const ortnTop = find(kTargetCallers, 'ortn');
    if (modelName === 'mlp' && modelTop && ortnTop) {
      targets.push([`mlp, ${kTargetCallers} callers: Model ≥ ${kMlpVsOrtn}× onnxruntime-node`, ratio(modelTop.items_per_s, ortnTop.items_per_s), modelTop.items_per_s >= kMlpVsOrtn * ortnTop.items_per_s]);
    }
    const modelOne = find(1, 'model');
    const sessionOne = find(1, 'session');
    if (modelOne && sessionOne) {
      const limit = kLatencyRatio * sessionOne.p50_ms + kLatencySlackMs;
      targets.push([`${modelName}, 1 caller: Model p50 ≤ ${kLatencyRatio} × Session p50 + ${kLatencySlackMs * 1000} µs (${fixed(limit * 1000, 1)} µs)`,
        `${fixed(modelOne.p50_ms * 1000, 1)} µs vs ${fixed(sessionOne.p50_ms * 1000, 1)} µs`, modelOne.p50_ms <= limit]);
    }
    all.push({ model: modelName, shape, best_cpp_batch: best?.batch, rows });
  }
  if (targets.length > 0) {
    console.log('');
    for (const [what, value, met] of targets) console.log(`- target: ${what}: ${value} — ${met ? 'met' : 'NOT met'}`);
  }
  if (flags.json) console.log(JSON.stringify(all));
}
