// Question: what does one call cost, on top of ONNX Runtime itself?
//
// Per-call latency (p50/p99) of one caller making calls back to back on a tiny model, where the
// call path is nearly all there is: inferline runSync, inferline await run, onnxruntime-node
// await session.run, and the C++ limit (bench/out/ort_limit: the C API on the same library).
// One intra-op thread everywhere. Each contender runs in its own child process so that one's
// threads (inferline's spinning pool, ORT's) never compete with another's measurement.
//
// Usage: node bench/overhead.mjs [--models add,mlp] [--contenders runSync,run,ortn,cpp]
//                                [--calls 20000] [--warmup 2000] [--rounds 3] [--json]
//   --rounds: each contender is measured that many times (rounds interleave the contenders); the
//   table shows the median of each figure and the p50's range over the rounds.
// Child: node bench/overhead.mjs --contender run --model add --calls N --warmup N (prints JSON)
// Env: INFERLINE_THREADS, INFERLINE_SPIN_MICROS and INFERLINE_PREWAKE_MICROS pass through to the inferline children.
import { fileURLToPath } from 'node:url';
import { Bench } from 'tinybench';
import { buildOrtLimit } from './native/build.mjs';
import { runJsonChild } from './lib/child-json.mjs';
import { environmentLines, ortLibraryPath } from './lib/environment.mjs';
import { combineRounds } from './lib/rounds.mjs';
import { list, parseFlags } from './lib/flags.mjs';
import { elementCount, model, randomFloats } from './lib/models.mjs';
import { fixed, markdownTable, ratio } from './lib/table.mjs';

const kSelf = fileURLToPath(import.meta.url);
const kContenders = {
  runSync: 'inferline runSync',
  run: 'inferline await run',
  ortn: 'onnxruntime-node await run',
  cpp: 'C++ limit (C API Run)',
};
const kChildTimeoutMs = 120_000;
// Targets of the Session issue, printed next to the table.
const kRunSyncMaxVsCpp = 1.5;

const flags = parseFlags(process.argv.slice(2), {
  models: 'add,mlp',
  contenders: Object.keys(kContenders).join(','),
  calls: 20000,
  warmup: 2000,
  rounds: 3,
  json: false,
  contender: '',
  model: '',
});

if (flags.contender) {
  console.log(JSON.stringify(await measureInChild(flags.contender, flags.model, flags.calls, flags.warmup)));
} else {
  await main();
}

/** Child: measures one contender on one model with tinybench, hrtime around each call. */
async function measureInChild(contender, modelName, calls, warmup) {
  const { path, shape } = model(modelName);
  const data = randomFloats(elementCount(shape));
  let call;
  let close;
  if (contender === 'ortn') {
    const { default: ort } = await import('onnxruntime-node');
    const session = await ort.InferenceSession.create(path, { intraOpNumThreads: 1 });
    const feeds = { [session.inputNames[0]]: new ort.Tensor('float32', data, shape) };
    call = async () => {
      await session.run(feeds);
    };
    close = () => session.release();
  } else {
    const { Session, Tensor } = await import('../dist/index.js');
    const session = await Session.create(path, { intraOpThreads: 1 });
    const feeds = { [session.inputs[0].name]: new Tensor('float32', data, shape) };
    call = contender === 'runSync'
      ? () => {
          session.runSync(feeds);
        }
      : async () => {
          await session.run(feeds);
        };
    close = () => session.close();
  }
  // Warm-up by hand rather than tinybench's, so that the CPU use below covers measured calls only.
  for (let i = 0; i < warmup; ++i) await call();
  const bench = new Bench({ iterations: calls, time: 0, warmup: false, timestampProvider: 'hrtimeNow', throws: true });
  // CPU of the whole process (all its threads: spinning pool workers count) from the first
  // measured call to the last, leaving out tinybench's statistics afterwards.
  let cpuBefore;
  let cpu;
  bench.add(contender, call, {
    beforeAll: () => {
      cpuBefore = process.cpuUsage();
    },
    afterAll: () => {
      cpu = process.cpuUsage(cpuBefore);
    },
  });
  await bench.run();
  await close();
  const { latency } = bench.tasks[0].result;
  return {
    p50_us: latency.p50 * 1e3,
    p99_us: latency.p99 * 1e3,
    mean_us: latency.mean * 1e3,
    calls: latency.samplesCount,
    cpu_us_per_call: (cpu.user + cpu.system) / latency.samplesCount,
  };
}

async function measure(contender, modelName) {
  const { path, shape } = model(modelName);
  if (contender === 'cpp') {
    const args = ['--lib', ortLibraryPath(), '--model', path, '--shape', shape.join(','), '--mode', 'latency',
      '--calls', String(flags.calls), '--warmup', String(flags.warmup), '--threads', '1', '--intra', '1'];
    return runJsonChild(buildOrtLimit(), args, { timeoutMs: kChildTimeoutMs });
  }
  const args = ['--contender', contender, '--model', modelName, '--calls', String(flags.calls), '--warmup', String(flags.warmup)];
  return runJsonChild(kSelf, args, { timeoutMs: kChildTimeoutMs });
}

async function main() {
  const models = list(flags.models);
  const contenders = list(flags.contenders);
  for (const c of contenders) if (!(c in kContenders)) throw new Error(`unknown contender "${c}"; known: ${Object.keys(kContenders).join(', ')}`);
  if (contenders.includes('cpp')) buildOrtLimit();

  console.log('# overhead: per-call latency, one caller, calls back to back, 1 intra-op thread');
  const calls = `${flags.calls} measured after ${flags.warmup} warm-up, per contender and round, each in its own process; median of ${flags.rounds} rounds`;
  for (const line of environmentLines({ calls })) console.log(line);
  const all = [];
  for (const modelName of models) {
    const { shape, what } = model(modelName);
    const byContender = new Map(contenders.map((c) => [c, []]));
    for (let round = 0; round < flags.rounds; ++round) {
      // Sequential on purpose: two measurements at once would share the 2 cores.
      for (const contender of contenders) byContender.get(contender).push(await measure(contender, modelName));
    }
    const rows = contenders.map((contender) => ({ contender, ...combineRounds(byContender.get(contender)) }));
    const cpp = rows.find((r) => r.contender === 'cpp')?.p50_us;
    const ortn = rows.find((r) => r.contender === 'ortn')?.p50_us;
    console.log(`\n## ${modelName}: ${what}, input float32 [${shape.join(',')}] (batch ${shape[0]})\n`);
    console.log(markdownTable([
      { title: 'contender', value: (r) => kContenders[r.contender], left: true },
      { title: 'p50 µs', value: (r) => fixed(r.p50_us, 2) },
      { title: 'p50 range', value: (r) => r.spread.p50_us.map((v) => fixed(v, 1)).join('–') },
      { title: 'p99 µs', value: (r) => fixed(r.p99_us, 2) },
      { title: 'p50 vs C++', value: (r) => ratio(r.p50_us, cpp) },
      { title: 'p50 vs onnxruntime-node', value: (r) => ratio(r.p50_us, ortn) },
      { title: 'CPU µs/call', value: (r) => fixed(r.cpu_us_per_call, 1) },
    ], rows));
    const bySync = rows.find((r) => r.contender === 'runSync')?.p50_us;
    const byRun = rows.find((r) => r.contender === 'run')?.p50_us;
    console.log('');
    if (bySync !== undefined && cpp !== undefined) {
      const met = bySync <= kRunSyncMaxVsCpp * cpp;
      console.log(`- target: runSync p50 ≤ ${kRunSyncMaxVsCpp}× C++ limit: ${ratio(bySync, cpp)} — ${met ? 'met' : 'NOT met'}`);
    }
    if (byRun !== undefined && ortn !== undefined) {
      const met = byRun <= ortn;
      console.log(`- target: run p50 ≤ onnxruntime-node's run: ${ratio(byRun, ortn)} — ${met ? 'met' : 'NOT met'}`);
    }
    all.push({ model: modelName, shape, rows });
  }
  if (flags.json) console.log(JSON.stringify(all));
}
