// Question: how do inferline's pool knobs change the cost of one `await session.run()`?
//
// Sweeps INFERLINE_THREADS × INFERLINE_SPIN_MICROS (read by the addon at load) and measures
// inferline `await run`, one caller, calls back to back, as bench/overhead.mjs does (its child
// mode, one child process per setting), next to onnxruntime-node's run and inferline's runSync
// measured in the same run. The CPU column is the whole process's CPU per call: what spinning costs.
//
// Usage: node bench/pool-tuning.mjs [--models add] [--threads 1,2] [--spins 0,50,200]
//                                   [--calls 20000] [--warmup 2000] [--rounds 3] [--json]
//   --rounds: each row is measured that many times, rounds interleaving the rows; medians shown.
import { fileURLToPath } from 'node:url';
import { runJsonChild } from './lib/child-json.mjs';
import { environmentLines } from './lib/environment.mjs';
import { list, parseFlags } from './lib/flags.mjs';
import { combineRounds } from './lib/rounds.mjs';
import { model } from './lib/models.mjs';
import { fixed, markdownTable, ratio } from './lib/table.mjs';

const kOverhead = fileURLToPath(new URL('./overhead.mjs', import.meta.url));
const kChildTimeoutMs = 120_000;

const flags = parseFlags(process.argv.slice(2), {
  models: 'add',
  threads: '1,2',
  spins: '0,50,200',
  calls: 20000,
  warmup: 2000,
  rounds: 3,
  json: false,
});

/** Runs overhead.mjs's child for one contender, with the inferline knobs set (or left unset). */
function measure(contender, modelName, threads, spin) {
  const env = { ...process.env };
  delete env.INFERLINE_THREADS;
  delete env.INFERLINE_SPIN_MICROS;
  if (threads !== undefined) env.INFERLINE_THREADS = String(threads);
  if (spin !== undefined) env.INFERLINE_SPIN_MICROS = String(spin);
  const args = ['--contender', contender, '--model', modelName, '--calls', String(flags.calls), '--warmup', String(flags.warmup)];
  return runJsonChild(kOverhead, args, { timeoutMs: kChildTimeoutMs, env });
}

console.log('# pool-tuning: inferline await run vs INFERLINE_THREADS × INFERLINE_SPIN_MICROS, one caller, 1 intra-op thread');
const calls = `${flags.calls} measured after ${flags.warmup} warm-up, each setting and round in its own process; median of ${flags.rounds} rounds`;
for (const line of environmentLines({ calls })) {
  console.log(line.startsWith('inferline:') ? line.replace(/INFERLINE_THREADS=[^;]*; /, 'knobs: per row; ') : line);
}
const all = [];
for (const modelName of list(flags.models)) {
  const { shape, what } = model(modelName);
  const settings = [
    { label: 'onnxruntime-node await run', contender: 'ortn' },
    { label: 'inferline runSync (defaults)', contender: 'runSync' },
  ];
  for (const threads of list(flags.threads).map(Number)) {
    for (const spin of list(flags.spins).map(Number)) settings.push({ label: 'inferline await run', contender: 'run', threads, spin });
  }
  const results = settings.map(() => []);
  for (let round = 0; round < flags.rounds; ++round) {
    for (const [i, s] of settings.entries()) results[i].push(await measure(s.contender, modelName, s.threads, s.spin));
  }
  const rows = settings.map((s, i) => ({ ...s, ...combineRounds(results[i]) }));
  const ortn = rows[0].p50_us;
  console.log(`\n## ${modelName}: ${what}, input float32 [${shape.join(',')}]\n`);
  console.log(markdownTable([
    { title: 'contender', value: (r) => r.label, left: true },
    { title: 'THREADS', value: (r) => r.threads ?? '—' },
    { title: 'SPIN µs', value: (r) => r.spin ?? '—' },
    { title: 'p50 µs', value: (r) => fixed(r.p50_us, 2) },
    { title: 'p50 range', value: (r) => r.spread.p50_us.map((v) => fixed(v, 1)).join('–') },
    { title: 'p99 µs', value: (r) => fixed(r.p99_us, 2) },
    { title: 'p50 vs onnxruntime-node', value: (r) => ratio(r.p50_us, ortn) },
    { title: 'CPU µs/call', value: (r) => fixed(r.cpu_us_per_call, 1) },
  ], rows));
  all.push({ model: modelName, rows });
}
if (flags.json) console.log(JSON.stringify(all));
