// Question: what does serving over the network cost, and what does inferline's server gain?
//
// KServe v2 inference over REST (JSON, and the binary tensor extension) and gRPC (raw contents)
// against `inferline serve` on a model repository (add [N,16] with batching up to 64, PP-OCR cls
// with batching up to 8), and against the server a user would write without inferline (fastify +
// onnxruntime-node, JSON; bench/servers/minimal-ortn.mjs). 1/16/64 closed-loop clients on
// 127.0.0.1 for a fixed time per cell; servers run in their own processes, the clients in this
// one (the same client code for every HTTP contender). The server's own cost per request is read
// at saturation on add against a bare fastify route that answers a constant.
//
// Usage: node bench/http.mjs [--models add,cls] [--clients 1,16,64] [--seconds 3]
//                            [--contenders inferline-json,inferline-binary,inferline-grpc,minimal,constant] [--json]
import { mkdtempSync, rmSync, writeFileSync, mkdirSync, copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureDefaultRepository } from '../scripts/default-repository.mjs';
import { environmentLines } from './lib/environment.mjs';
import { list, parseFlags } from './lib/flags.mjs';
import { kRoot, model } from './lib/models.mjs';
import { processCpuSeconds, startServer } from './lib/server-process.mjs';
import { fixed, markdownTable, ratio } from './lib/table.mjs';

const flags = parseFlags(process.argv.slice(2), {
  models: 'add,cls', clients: '1,16,64', seconds: 3,
  contenders: 'inferline-json,inferline-binary,inferline-grpc,minimal,constant', json: false,
});
const kContenders = {
  'inferline-json': 'inferline REST JSON',
  'inferline-binary': 'inferline REST binary',
  'inferline-grpc': 'inferline gRPC raw',
  minimal: 'fastify + onnxruntime-node JSON',
  constant: 'fastify constant route (HTTP floor)',
};
// Targets of issue 6 at 64 clients, against the minimal server.
const kTargets = { cls: 1.8, add: 1.5 };
const kShapes = { add: [1, 16], cls: [1, 3, 48, 192] };

const { httpTarget } = await import('../dist/cli/load/load-target.js');

/** A repository with the two models, configured for the bench. */
function writeRepository(dir) {
  const models = { add: { source: join(kRoot, 'default-repository', 'add', '1', 'model.onnx'), config: { batching: { maxBatchSize: 64 } } },
    cls: { source: model('cls').path, config: { batching: { maxBatchSize: 8 } } } };
  for (const [name, { source, config }] of Object.entries(models)) {
    mkdirSync(join(dir, name, '1'), { recursive: true });
    copyFileSync(source, join(dir, name, '1', 'model.onnx'));
    writeFileSync(join(dir, name, 'config.json'), JSON.stringify(config));
  }
}

/** Closed loop: `clients` senders for `seconds`; latencies in ms. */
async function drive(target, clients, seconds, serverPid) {
  // Warm-up: half a second of the same load (JIT on both sides, connections, batch sizes settle).
  const warmEnd = performance.now() + 500;
  await Promise.all(Array.from({ length: clients }, async () => {
    while (performance.now() < warmEnd) await target.send().catch(() => {});
  }));
  const latencies = [];
  let errors = 0;
  const cpuBefore = processCpuSeconds(serverPid);
  const start = performance.now();
  const deadline = start + seconds * 1000;
  let last = start;
  await Promise.all(Array.from({ length: clients }, async () => {
    while (performance.now() < deadline) {
      const begun = performance.now();
      try {
        await target.send();
        latencies.push((last = performance.now()) - begun);
      } catch {
        errors++;
      }
    }
  }));
  const cpuAfter = processCpuSeconds(serverPid);
  latencies.sort((a, b) => a - b);
  const q = (p) => latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))];
  // The server's own CPU time per request (all its threads, inference included): what a request
  // costs the server, whichever side of the connection bounds the throughput.
  const serverCpuMicros = cpuBefore === undefined || cpuAfter === undefined ? undefined : ((cpuAfter - cpuBefore) * 1e6) / latencies.length;
  return { per_s: latencies.length / ((last - start) / 1000), p50_ms: q(0.5), p99_ms: q(0.99), requests: latencies.length, errors, server_cpu_us: serverCpuMicros };
}

async function main() {
  await ensureDefaultRepository(join(kRoot, 'default-repository'));
  const repo = mkdtempSync(join(tmpdir(), 'inferline-bench-http-'));
  writeRepository(repo);
  const models = list(flags.models);
  const clientCounts = list(flags.clients).map(Number);
  const contenders = list(flags.contenders);
  const seconds = Number(flags.seconds);
  console.log('# http: KServe v2 inference over 127.0.0.1, closed-loop clients');
  for (const line of environmentLines({ 'per cell': `${seconds} s after 0.5 s of warm-up load; servers in their own processes, the clients in the bench process (on the same 2 cores: the client side bounds every contender, see the constant route)` })) console.log(line);

  const servers = [];
  const rows = [];
  try {
    const inferline = await startServer(join(kRoot, 'dist', 'cli', 'main.js'),
      ['serve', '--model-repository', repo, '--http-port', '0', '--grpc-port', '0', '--metrics-port', '0'],
      { ready: /HTTP http:\/\/127\.0\.0\.1:(\d+).*gRPC 127\.0\.0\.1:(\d+)/s });
    servers.push(inferline);
    const [httpPort, grpcPort] = inferline.ports;
    for (const name of models) {
      const spec = { x: kShapes[name] };
      const shapes = { x: kShapes[name] };
      const minimal = contenders.includes('minimal')
        ? await startServer(join(kRoot, 'bench', 'servers', 'minimal-ortn.mjs'), ['--model', name === 'add' ? join(repo, 'add', '1', 'model.onnx') : model('cls').path, '--name', name, '--port', '0'], { ready: /listening (\d+)/ })
        : undefined;
      if (minimal) servers.push(minimal);
      const constant = name === 'add' && contenders.includes('constant')
        ? await startServer(join(kRoot, 'bench', 'servers', 'minimal-ortn.mjs'), ['--constant', '--name', name, '--port', '0'], { ready: /listening (\d+)/ })
        : undefined;
      if (constant) servers.push(constant);
      const pids = { 'inferline-json': inferline.pid, 'inferline-binary': inferline.pid, 'inferline-grpc': inferline.pid, minimal: minimal?.pid, constant: constant?.pid };
      const targets = {
        'inferline-json': () => httpTarget(`http://127.0.0.1:${httpPort}`, name, shapes, false, {}),
        'inferline-binary': () => httpTarget(`http://127.0.0.1:${httpPort}`, name, shapes, true, {}),
        'inferline-grpc': async () => (await import('./lib/grpc-target.mjs')).grpcTarget(`127.0.0.1:${grpcPort}`, name, spec),
        minimal: minimal && (() => httpTarget(`http://127.0.0.1:${minimal.ports[0]}`, name, shapes, false, {})),
        constant: constant && (() => httpTarget(`http://127.0.0.1:${constant.ports[0]}`, name, shapes, false, {})),
      };
      for (const clients of clientCounts) {
        for (const contender of contenders) {
          if (!targets[contender]) continue;
          process.stderr.write(`http: ${name}/${clients}/${contender}\n`);
          const target = await targets[contender]();
          rows.push({ model: name, clients, contender, ...(await drive(target, clients, seconds, pids[contender])) });
          await target.close();
        }
      }
    }
  } finally {
    await Promise.all(servers.map((server) => server.stop()));
    rmSync(repo, { recursive: true, force: true });
  }
  const baseline = (row) => rows.find((r) => r.model === row.model && r.clients === row.clients && r.contender === 'minimal');
  console.log('');
  console.log(markdownTable([
    { title: 'model', value: (r) => `${r.model} [${kShapes[r.model].join(',')}]`, left: true },
    { title: 'clients', value: (r) => r.clients },
    { title: 'contender', value: (r) => kContenders[r.contender], left: true },
    { title: 'req/s', value: (r) => fixed(r.per_s, 0) },
    { title: 'vs minimal', value: (r) => ratio(r.per_s, baseline(r)?.per_s) },
    { title: 'p50 ms', value: (r) => fixed(r.p50_ms, 2) },
    { title: 'p99 ms', value: (r) => fixed(r.p99_ms, 2) },
    { title: 'server CPU µs/req', value: (r) => fixed(r.server_cpu_us, 0) },
    { title: 'errors', value: (r) => r.errors },
  ], rows));
  for (const [name, target] of Object.entries(kTargets)) {
    const top = Math.max(...clientCounts);
    const ours = rows.filter((r) => r.model === name && r.clients === top && r.contender.startsWith('inferline'));
    const base = rows.find((r) => r.model === name && r.clients === top && r.contender === 'minimal');
    if (ours.length === 0 || base === undefined) continue;
    const best = ours.reduce((a, b) => (a.per_s > b.per_s ? a : b));
    const json = ours.find((r) => r.contender === 'inferline-json');
    console.log(`- target ${name}/${top}: ≥ ${target}× the minimal server's throughput with lower p99: best ${kContenders[best.contender]} ${ratio(best.per_s, base.per_s)}` +
      (json ? `, JSON ${ratio(json.per_s, base.per_s)}` : '') + `; p99 ${fixed(best.p99_ms, 2)} vs ${fixed(base.p99_ms, 2)} ms`);
  }
  const top = Math.max(...clientCounts);
  const constant = rows.find((r) => r.model === 'add' && r.clients === top && r.contender === 'constant');
  for (const contender of ['inferline-json', 'inferline-binary', 'inferline-grpc', 'minimal']) {
    const row = rows.find((r) => r.model === 'add' && r.clients === top && r.contender === contender);
    if (row?.server_cpu_us !== undefined && constant?.server_cpu_us !== undefined) {
      console.log(`- server CPU per request (add/${top}): ${kContenders[contender]} ${fixed(row.server_cpu_us, 0)} µs, ` +
        `${fixed(row.server_cpu_us - constant.server_cpu_us, 0)} µs more than the constant route's ${fixed(constant.server_cpu_us, 0)} µs (Triton publishes 14–39 µs of server overhead)`);
    }
  }
  if (flags.json) console.log(JSON.stringify(rows));
}

await main();
