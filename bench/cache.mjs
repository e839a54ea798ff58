// Question: how fast is a result-cache hit, and how fast is the hash behind its keys?
//
// Hits: a ResultCache holding `--entries` stored requests of one float32 input of 1 KB, 100 KB
// and 1 MB (and a float32 [1,16] output); lookups cycle through them. A hit is the whole path:
// key (128-bit hash of the input in place, plus name, dtype and shape), Map lookup, full
// comparison of the input bytes with the stored copy, and a fresh copy of the output.
//   hits/s: back-to-back lookups, hrtime around the whole loop (no timer per call);
//   p50/p99: tinybench, hrtime around each lookup (its ~0.1 µs timer cost included).
// Hashing: GB/s of the addon's hash128 on the same inputs, one call per input, against
// node:crypto md5 and sha1 (createHash().update().digest()) in the same process, and against
// Buffer.compare of two equal copies (a memcmp: what a hit's comparison costs per byte).
// Targets (issue 5): ≥ 500k hits/s at 1 KB in-process; hashing ≥ 2 GB/s.
// Everything runs in one process: one thread, one contender at a time, nothing to disturb.
//
// Usage: node bench/cache.mjs [--sizes 1k,100k,1m] [--only hits,hash] [--seconds 1]
//                             [--entries 64] [--rounds 3] [--json]
import { createHash } from 'node:crypto';
import { Bench } from 'tinybench';
import { environmentLines } from './lib/environment.mjs';
import { list, parseFlags } from './lib/flags.mjs';
import { randomFloats } from './lib/models.mjs';
import { combineRounds } from './lib/rounds.mjs';
import { fixed, markdownTable, ratio } from './lib/table.mjs';

const kSizes = { '1k': 1024, '100k': 100 * 1024, '1m': 1024 * 1024 };
const kHitsTarget = 500_000; // hits/s at 1 KB
const kHashTargetGBps = 2;

const flags = parseFlags(process.argv.slice(2), { sizes: '1k,100k,1m', only: 'hits,hash', seconds: 1, entries: 64, rounds: 3, json: false });
const { Tensor } = await import('../dist/index.js');
const { ResultCache } = await import('../dist/cache/result-cache.js');
const { nativeHash } = await import('../dist/native.js');

const sizes = list(flags.sizes);
for (const size of sizes) if (!(size in kSizes)) throw new Error(`unknown size "${size}"; known: ${Object.keys(kSizes).join(', ')}`);
const only = new Set(list(flags.only));

/** Calls `call` back to back for about `seconds`, in blocks; returns calls per second. */
function rate(call, seconds) {
  let block = 16;
  let calls = 0;
  const started = process.hrtime.bigint();
  const deadline = started + BigInt(Math.round(seconds * 1e9));
  let now = started;
  while (now < deadline) {
    for (let i = 0; i < block; i++) call();
    calls += block;
    now = process.hrtime.bigint();
    if (block < 1 << 16 && now - started < BigInt(2e7)) block *= 2; // reach ~ms blocks quickly
  }
  return calls / (Number(now - started) / 1e9);
}

/** A cache holding `entries` requests of `bytes` input bytes each, and their feeds. */
function filledCache(bytes, entries) {
  const elements = bytes / 4;
  const cache = new ResultCache({ maxBytes: (bytes + 64) * entries + (1 << 20) }, { model: 'bench', version: '1' });
  const feeds = [];
  for (let i = 0; i < entries; i++) {
    const request = { x: new Tensor('float32', randomFloats(elements, i + 1), [1, elements]) };
    const found = cache.lookup(request);
    if (found.hit) throw new Error('bench: a fresh request hit');
    cache.insert(found.miss, { y: new Tensor('float32', randomFloats(16, 1000 + i), [1, 16]) });
    // The lookups use other Tensors over equal bytes, as a new request would.
    feeds.push({ x: new Tensor('float32', request.x.data.slice(), [1, elements]) });
  }
  return { cache, feeds };
}

async function measureHits(bytes) {
  const entries = bytes >= kSizes['1m'] ? Math.min(flags.entries, 16) : flags.entries;
  const { cache, feeds } = filledCache(bytes, entries);
  let next = 0;
  const hit = () => {
    const found = cache.lookup(feeds[next]);
    next = next + 1 === feeds.length ? 0 : next + 1;
    if (!found.hit) throw new Error('bench: expected a hit');
  };
  rate(hit, Math.min(0.3, flags.seconds / 2)); // warm-up: optimised code, steady caches
  const hitsPerSecond = rate(hit, flags.seconds);
  const bench = new Bench({ time: flags.seconds * 1000, warmup: false, timestampProvider: 'hrtimeNow', throws: true });
  bench.add('hit', hit);
  await bench.run();
  const { latency } = bench.tasks[0].result;
  const stats = cache.stats();
  if (stats.misses !== entries || stats.entries !== entries) throw new Error(`bench: unexpected cache state ${JSON.stringify(stats)}`);
  return { hits_per_s: hitsPerSecond, p50_us: latency.p50 * 1e3, p99_us: latency.p99 * 1e3, entries };
}

function measureHash(bytes) {
  const data = randomFloats(bytes / 4, 7);
  const copy = Buffer.from(data.slice().buffer);
  const view = Buffer.from(data.buffer);
  const out = new Uint32Array(4);
  const { hash128 } = nativeHash();
  const contenders = {
    'inferline hash128 (128-bit)': () => hash128(data, out),
    'node:crypto md5': () => createHash('md5').update(data).digest(),
    'node:crypto sha1': () => createHash('sha1').update(data).digest(),
    'Buffer.compare (memcmp, equal)': () => Buffer.compare(view, copy),
  };
  const result = {};
  for (const [name, call] of Object.entries(contenders)) {
    rate(call, Math.min(0.2, flags.seconds / 4));
    result[name] = (rate(call, flags.seconds / 2) * bytes) / 1e9;
  }
  return result;
}

const label = (size) => ({ '1k': '1 KB', '100k': '100 KB', '1m': '1 MB' })[size];

console.log('# cache: result-cache hits and key hashing, in-process, one thread');
for (const line of environmentLines({ runs: `${flags.seconds} s per measurement, median of ${flags.rounds} rounds; inputs float32 [1, bytes/4], output float32 [1,16]` })) console.log(line);
const report = {};

if (only.has('hits')) {
  const rows = [];
  for (const size of sizes) {
    const rounds = [];
    for (let round = 0; round < flags.rounds; round++) rounds.push(await measureHits(kSizes[size]));
    rows.push({ size, ...combineRounds(rounds) });
  }
  console.log(`\n## hits: lookup of a stored request (key hash + Map + full compare + output copy), ${flags.entries} entries (16 at 1 MB)\n`);
  console.log(markdownTable([
    { title: 'input', value: (r) => label(r.size), left: true },
    { title: 'hits/s', value: (r) => Math.round(r.hits_per_s).toLocaleString('en-US') },
    { title: 'hits/s range', value: (r) => r.spread.hits_per_s.map((v) => `${Math.round(v / 1000)}k`).join('–') },
    { title: 'p50 µs', value: (r) => fixed(r.p50_us, 2) },
    { title: 'p99 µs', value: (r) => fixed(r.p99_us, 2) },
    { title: 'input GB/s', value: (r) => fixed((r.hits_per_s * kSizes[r.size]) / 1e9, 2) },
    { title: 'vs target 500k/s', value: (r) => (r.size === '1k' ? ratio(r.hits_per_s, kHitsTarget) : '—') },
  ], rows));
  const oneK = rows.find((r) => r.size === '1k');
  if (oneK !== undefined) {
    console.log(`\n- target: ≥ ${kHitsTarget.toLocaleString('en-US')} hits/s at 1 KB: ${Math.round(oneK.hits_per_s).toLocaleString('en-US')} (${ratio(oneK.hits_per_s, kHitsTarget)}) — ${oneK.hits_per_s >= kHitsTarget ? 'met' : 'NOT met'}`);
  }
  report.hits = rows;
}

if (only.has('hash')) {
  const rows = [];
  for (const size of sizes) {
    const rounds = [];
    for (let round = 0; round < flags.rounds; round++) rounds.push(measureHash(kSizes[size]));
    for (const contender of Object.keys(rounds[0])) {
      rows.push({ size, contender, ...combineRounds(rounds.map((r) => ({ gbps: r[contender] }))), md5: combineRounds(rounds.map((r) => ({ v: r['node:crypto md5'] }))).v });
    }
  }
  console.log('\n## hashing: GB/s, one call per input, same bytes for every contender\n');
  console.log(markdownTable([
    { title: 'input', value: (r) => label(r.size), left: true },
    { title: 'contender', value: (r) => r.contender, left: true },
    { title: 'GB/s', value: (r) => fixed(r.gbps, 2) },
    { title: 'GB/s range', value: (r) => r.spread.gbps.map((v) => fixed(v, 1)).join('–') },
    { title: 'vs target 2 GB/s', value: (r) => ratio(r.gbps, kHashTargetGBps) },
    { title: 'vs md5', value: (r) => ratio(r.gbps, r.md5) },
  ], rows));
  const ours = rows.filter((r) => r.contender.startsWith('inferline'));
  const worst = ours.reduce((a, b) => (b.gbps < a.gbps ? b : a), ours[0]);
  const largest = ours.at(-1);
  if (largest !== undefined) {
    console.log(`\n- target: hashing ≥ ${kHashTargetGBps} GB/s: ${fixed(largest.gbps, 2)} GB/s at ${label(largest.size)} (${ratio(largest.gbps, kHashTargetGBps)}) — ${largest.gbps >= kHashTargetGBps ? 'met' : 'NOT met'}; lowest ${fixed(worst.gbps, 2)} GB/s at ${label(worst.size)}, where the call costs more than the bytes`);
  }
  report.hash = rows;
}

if (flags.json) console.log(JSON.stringify(report));
