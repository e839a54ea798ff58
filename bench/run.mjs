// Runs the benchmarks, one after another, each in its own process with a time limit.
// Steps: check the built package (dist/) and addon exist, build bench/out/ort_limit, then run
// every bench whose name contains one of the given filters (all when none is given).
// Usage: node bench/run.mjs [name-filter ...] [-- flags passed to every selected bench]
//   npm run bench                       all benches
//   node bench/run.mjs overhead         only bench/overhead.mjs
//   node bench/run.mjs event -- --seconds 2
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { buildOrtLimit } from './native/build.mjs';
import { kRoot } from './lib/models.mjs';

// name → [file, time limit]; limits are several times a normal run's length.
// event-loop goes last: its 64-thread C++ cells inflate the load average the others print.
const kBenches = {
  overhead: ['overhead.mjs', 5 * 60_000],
  'pool-tuning': ['pool-tuning.mjs', 5 * 60_000],
  batching: ['batching.mjs', 10 * 60_000],
  'model-latency': ['model-latency.mjs', 5 * 60_000],
  cache: ['cache.mjs', 3 * 60_000],
  pipeline: ['pipeline.mjs', 5 * 60_000],
  http: ['http.mjs', 10 * 60_000],
  'event-loop': ['event-loop.mjs', 20 * 60_000],
};

const argv = process.argv.slice(2);
const split = argv.indexOf('--');
const filters = split === -1 ? argv : argv.slice(0, split);
const passThrough = split === -1 ? [] : argv.slice(split + 1);
const selected = Object.keys(kBenches).filter((name) => filters.length === 0 || filters.some((f) => name.includes(f)));
if (selected.length === 0) {
  console.error(`bench/run.mjs: no bench matches ${filters.join(', ')}; benches: ${Object.keys(kBenches).join(', ')}`);
  process.exit(2);
}
if (!existsSync(join(kRoot, 'dist', 'index.js')) || !existsSync(join(kRoot, 'build', 'Release', 'inferline.node'))) {
  console.error('bench/run.mjs: the benches import the built package; run `npm run build` first (addon and dist/)');
  process.exit(2);
}
buildOrtLimit();

let failed = 0;
for (const name of selected) {
  const [file, limitMs] = kBenches[name];
  const code = await new Promise((resolve) => {
    // Its own process group, so that stopping it also stops the measurement children it started.
    const child = spawn(process.execPath, [join(kRoot, 'bench', file), ...passThrough], { stdio: 'inherit', detached: true });
    const stop = () => process.kill(-child.pid, 'SIGKILL');
    const onInterrupt = () => {
      stop();
      process.exit(130);
    };
    process.once('SIGINT', onInterrupt);
    const timer = setTimeout(() => {
      console.error(`bench/run.mjs: ${name} ran past ${limitMs / 1000} s; stopping it`);
      stop();
    }, limitMs);
    child.on('exit', (exitCode, signal) => {
      clearTimeout(timer);
      process.off('SIGINT', onInterrupt);
      resolve(exitCode ?? (signal ? 1 : 0));
    });
  });
  if (code !== 0) {
    console.error(`bench/run.mjs: ${name} failed (exit ${code})`);
    failed += 1;
  }
  console.log('');
}
process.exit(failed === 0 ? 0 : 1);
