// Question: what does Model add to the latency of a lone caller, against Session.run?
//
// One caller, one request at a time. Model (batching on, one instance, intraOpThreads 1) and
// Session (intraOpThreads 1) on the same model, in ONE process, alternating in blocks of calls
// for many rounds: the two do not disturb each other (one request in flight at a time), and
// alternating cancels the drift that makes separate processes differ by ±10% on PP-OCR cls
// (bench/batching.mjs measures each in its own process and cannot resolve a 5% bound there).
// Target (batching issue): Model p50 ≤ 1.05 × Session p50 + 5 µs.
//
// Usage: node bench/model-latency.mjs [--models mlp,cls] [--rounds 20] [--block 200]
import { environmentLines } from './lib/environment.mjs';
import { list, parseFlags } from './lib/flags.mjs';
import { elementCount, model, randomFloats } from './lib/models.mjs';
import { fixed, markdownTable, ratio } from './lib/table.mjs';

const kLatencyRatio = 1.05;
const kLatencySlackMicros = 5;
const kWarmupCalls = 200;

const flags = parseFlags(process.argv.slice(2), { models: 'mlp,cls', rounds: 20, block: 200 });
const { Model, Session, Tensor } = await import('../dist/index.js');

const median = (values) => [...values].sort((a, b) => a - b)[values.length >> 1];

async function timeBlock(call, calls, into) {
  for (let i = 0; i < calls; i++) {
    const started = performance.now();
    await call();
    into.push((performance.now() - started) * 1000);
  }
}

console.log('# model-latency: Model.infer vs Session.run, one caller, alternating in one process\n');
for (const line of environmentLines({ 'per model': `${flags.rounds} rounds × ${flags.block} calls per contender, after ${kWarmupCalls} warm-up calls each` })) console.log(line);
const rows = [];
const verdicts = [];
for (const name of list(flags.models)) {
  const { path, shape, what } = model(name);
  const session = await Session.create(path, { intraOpThreads: 1 });
  const served = await Model.load({ name, path, batching: { maxBatchSize: 8 }, instances: { count: 1 }, session: { intraOpThreads: 1 } });
  const input = new Tensor('float32', randomFloats(elementCount(shape), 1), shape);
  const feeds = { [session.inputs[0].name]: input };
  const contenders = [
    ['inferline Session.run', () => session.run(feeds), []],
    ['inferline Model.infer (batching, 1 instance)', () => served.infer(feeds), []],
  ];
  for (const [, call] of contenders) await timeBlock(call, kWarmupCalls, []);
  for (let round = 0; round < flags.rounds; round++) {
    // Alternate which goes first, so neither always follows the other's warm caches.
    const order = round % 2 === 0 ? contenders : [...contenders].reverse();
    for (const [, call, samples] of order) await timeBlock(call, flags.block, samples);
  }
  const [sessionP50, modelP50] = contenders.map(([, , samples]) => median(samples));
  for (const [label, , samples] of contenders) {
    const sorted = [...samples].sort((a, b) => a - b);
    rows.push([`${name} ${JSON.stringify(shape)}`, label, fixed(median(samples), 1), fixed(sorted[Math.floor(sorted.length * 0.99)], 1), ratio(median(samples), sessionP50)]);
  }
  const bound = sessionP50 * kLatencyRatio + kLatencySlackMicros;
  verdicts.push(`- target: ${name} (${what}), 1 caller: Model p50 ≤ 1.05 × Session p50 + 5 µs (${fixed(bound, 1)} µs): ${fixed(modelP50, 1)} µs vs ${fixed(sessionP50, 1)} µs — ${modelP50 <= bound ? 'met' : 'NOT met'}`);
  await served.unload();
  await session.close();
}
const columns = ['model', 'contender', 'p50 µs', 'p99 µs', 'p50 vs Session'].map((title, i) => ({ title, value: (row) => row[i], left: i < 2 }));
console.log(`\n${markdownTable(columns, rows)}\n`);
for (const verdict of verdicts) console.log(verdict);
