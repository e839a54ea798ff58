#!/usr/bin/env node
/**
 * The `inferline` command: `serve` (the KServe v2 server on a model repository), `inspect`
 * (a model's inputs, outputs, opsets and size) and `bench` (a load generator).
 */
import { parseArgs } from 'node:util';
import { errors } from '../errors.js';
import { type BenchArgs, parseShapeFlag, runBench } from './bench-command.js';
import { describeModel, formatDescription } from './inspect.js';

const kUsage = `Usage:
  inferline serve --model-repository DIR [--http-port 8000] [--grpc-port 8001] [--metrics-port 8002]
                  [--host 127.0.0.1] [--poll-ms MS] [--token T]
  inferline inspect model.onnx [--json]
  inferline bench (--url http://127.0.0.1:8000 --model NAME | --model-path model.onnx)
                  [--concurrency 1:64:x2] [--window-ms 2000] [--max-windows 10] [--stability 10]
                  [--shape input=d0,d1,...]... [--binary] [--token T] [--max-batch 64]
                  [--json out.json] [--csv out.csv] [--svg chart.svg]`;

function integer(value: string | undefined, flag: string, fallback: number): number {
  if (value === undefined) return fallback;
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 0) throw errors.invalidArg(`${flag} must be a non-negative integer, received "${value}"`);
  return parsed;
}

async function serveCommand(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      'model-repository': { type: 'string' }, 'http-port': { type: 'string' }, 'grpc-port': { type: 'string' },
      'metrics-port': { type: 'string' }, host: { type: 'string' }, 'poll-ms': { type: 'string' }, token: { type: 'string' },
    },
  });
  const repository = values['model-repository'];
  if (repository === undefined) throw errors.invalidArg(`serve: --model-repository DIR is required\n${kUsage}`);
  const { serve } = await import('../server/serve.js');
  const host = values.host ?? '127.0.0.1';
  const pollMs = values['poll-ms'] === undefined ? undefined : integer(values['poll-ms'], '--poll-ms', 0);
  const metricsPort = values['metrics-port'] === undefined ? undefined : integer(values['metrics-port'], '--metrics-port', 8002);
  const server = await serve({
    repository,
    ...(pollMs === undefined ? {} : { pollMs }),
    http: { port: integer(values['http-port'], '--http-port', 8000), host },
    grpc: { port: integer(values['grpc-port'], '--grpc-port', 8001), host },
    metrics: metricsPort === undefined ? true : { port: metricsPort },
    ...(values.token === undefined ? {} : { auth: { token: values.token } }),
  });
  const parts = [
    server.http && `HTTP ${server.http.url}`,
    server.grpc && `gRPC ${host}:${server.grpc.port}`,
    server.metrics ? `metrics ${server.metrics.url}` : server.http && `metrics ${server.http.url}/metrics`,
  ].filter(Boolean);
  process.stdout.write(`inferline: serving ${parts.join(', ')}\n`);
  for (const entry of server.models.index()) process.stdout.write(`  ${entry.name} v${entry.version}: ${entry.state}${entry.reason ? ` (${entry.reason})` : ''}\n`);
  if (server.http !== undefined) {
    const example = curlExample(server.http.url, server.models.index().filter((e) => e.state === 'READY').map((e) => e.name));
    if (example !== undefined) process.stdout.write(`try:\n  ${example}\n`);
  }
  const stop = (): void => {
    process.stderr.write('inferline: shutting down (draining requests in flight)\n');
    void server.close().then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

/** A curl line that works on the default repository's add model (y = x + 1, float32 [N,16]). */
function curlExample(url: string, ready: string[]): string | undefined {
  if (!ready.includes('add')) return ready.length > 0 ? `curl -s ${url}/v2/models/${ready[0]}` : undefined;
  const body = JSON.stringify({ inputs: [{ name: 'x', datatype: 'FP32', shape: [1, 16], data: Array.from({ length: 16 }, (_, i) => i) }] });
  return `curl -s -X POST ${url}/v2/models/add/infer -H 'content-type: application/json' -d '${body}'`;
}

async function inspectCommand(argv: string[]): Promise<void> {
  const { values, positionals } = parseArgs({ args: argv, options: { json: { type: 'boolean' } }, allowPositionals: true });
  if (positionals.length !== 1) throw errors.invalidArg(`inspect: give one model file\n${kUsage}`);
  const description = await describeModel(positionals[0]!);
  process.stdout.write(values.json ? `${JSON.stringify(description, null, 2)}\n` : `${formatDescription(description)}\n`);
}

async function benchCommand(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      url: { type: 'string' }, model: { type: 'string' }, 'model-path': { type: 'string' }, concurrency: { type: 'string' },
      'window-ms': { type: 'string' }, 'max-windows': { type: 'string' }, stability: { type: 'string' },
      shape: { type: 'string', multiple: true }, binary: { type: 'boolean' }, token: { type: 'string' },
      'max-batch': { type: 'string' }, json: { type: 'string' }, csv: { type: 'string' }, svg: { type: 'string' },
    },
  });
  const args: BenchArgs = {
    concurrency: values.concurrency ?? '1:64:x2',
    windowMs: integer(values['window-ms'], '--window-ms', 2000),
    maxWindows: integer(values['max-windows'], '--max-windows', 10),
    stabilityPercent: integer(values.stability, '--stability', 10),
    shapes: Object.fromEntries((values.shape ?? []).map(parseShapeFlag)),
    binary: values.binary ?? false,
    maxBatchSize: integer(values['max-batch'], '--max-batch', 64),
    ...(values.url === undefined ? {} : { url: values.url }),
    ...(values.model === undefined ? {} : { model: values.model }),
    ...(values['model-path'] === undefined ? {} : { modelPath: values['model-path'] }),
    ...(values.token === undefined ? {} : { token: values.token }),
    ...(values.json === undefined ? {} : { json: values.json }),
    ...(values.csv === undefined ? {} : { csv: values.csv }),
    ...(values.svg === undefined ? {} : { svg: values.svg }),
  };
  await runBench(args);
}

const kCommands: Record<string, (argv: string[]) => Promise<void>> = { serve: serveCommand, inspect: inspectCommand, bench: benchCommand };

async function main(argv: string[]): Promise<void> {
  const [command, ...rest] = argv;
  if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
    process.stdout.write(`${kUsage}\n`);
    return;
  }
  const run = kCommands[command];
  if (run === undefined) throw errors.invalidArg(`unknown command "${command}"\n${kUsage}`);
  await run(rest);
}

main(process.argv.slice(2)).catch((error: unknown) => {
  const code = (error as { code?: unknown }).code;
  process.stderr.write(`inferline: ${(error as Error).message ?? String(error)}${typeof code === 'string' ? ` (${code})` : ''}\n`);
  process.exitCode = 1;
});
