/** `inferline bench`: a perf_analyzer-style load generator against a server or an in-process model. */
import { writeFile } from 'node:fs/promises';
import { errors } from '../errors.js';
import { parseConcurrency } from './load/concurrency-sweep.js';
import { formatTable, toCsv, toJson, toSvg } from './load/load-report.js';
import { httpTarget, inProcessTarget, type LoadTarget } from './load/load-target.js';
import { type LevelResult, measureLevel } from './load/measure-level.js';

export interface BenchArgs {
  url?: string;
  model?: string;
  modelPath?: string;
  concurrency: string;
  windowMs: number;
  maxWindows: number;
  stabilityPercent: number;
  shapes: Record<string, number[]>;
  binary: boolean;
  token?: string;
  maxBatchSize: number;
  json?: string;
  csv?: string;
  svg?: string;
}

/** "x=1,16" → ["x", [1, 16]]. */
export function parseShapeFlag(text: string): [string, number[]] {
  const at = text.lastIndexOf('=');
  const dims = at > 0 ? text.slice(at + 1).split(',').map(Number) : [];
  if (at <= 0 || dims.length === 0 || dims.some((d) => !Number.isInteger(d) || d < 0)) {
    throw errors.invalidArg(`--shape "${text}": expected name=d0,d1,... with non-negative integers`);
  }
  return [text.slice(0, at), dims];
}

async function openTarget(args: BenchArgs): Promise<LoadTarget> {
  if (args.modelPath !== undefined) return inProcessTarget(args.modelPath, args.shapes, args.maxBatchSize);
  if (args.url === undefined || args.model === undefined) {
    throw errors.invalidArg('bench: give --url and --model (a running KServe v2 server), or --model-path (a model loaded in this process)');
  }
  const headers: Record<string, string> = args.token === undefined ? {} : { authorization: `Bearer ${args.token}` };
  return httpTarget(args.url, args.model, args.shapes, args.binary, headers);
}

export async function runBench(args: BenchArgs, out: NodeJS.WritableStream = process.stdout, progress: NodeJS.WriteStream = process.stderr): Promise<LevelResult[]> {
  const levels = parseConcurrency(args.concurrency);
  const target = await openTarget(args);
  const results: LevelResult[] = [];
  out.write(`${target.label}\nconcurrency ${levels.join(', ')}; windows of ${args.windowMs} ms until 3 agree within ${args.stabilityPercent}% (at most ${args.maxWindows})\n`);
  try {
    for (const concurrency of levels) {
      const result = await measureLevel(target, concurrency, {
        windowMs: args.windowMs,
        maxWindows: args.maxWindows,
        stabilityPercent: args.stabilityPercent,
        onWindow: (window, throughput, p99) => {
          if (progress.isTTY) progress.write(`\r\x1b[2Kconcurrency ${concurrency}: window ${window}, ${throughput.toFixed(1)} infer/s, p99 ${p99.toFixed(2)} ms`);
        },
      });
      if (progress.isTTY) progress.write('\r\x1b[2K');
      results.push(result);
    }
  } finally {
    await target.close();
  }
  out.write(formatTable(results) + '\n');
  if (args.json !== undefined) await writeFile(args.json, toJson(results, target.label));
  if (args.csv !== undefined) await writeFile(args.csv, toCsv(results));
  if (args.svg !== undefined) await writeFile(args.svg, toSvg(results, target.label.slice(0, 90)));
  return results;
}
