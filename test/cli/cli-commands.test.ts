// The inferline command as a user runs it (node dist/cli/main.js): inspect, bench on an
// in-process model with every output format, and its errors (exit code 1, a message).
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { generatedModel } from '../helpers/paths.js';

const run = promisify(execFile);
const kMain = join(import.meta.dirname, '..', '..', 'dist', 'cli', 'main.js');
const kOut = mkdtempSync(join(tmpdir(), 'inferline-cli-'));
afterAll(() => rmSync(kOut, { recursive: true, force: true }));

async function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [kMain, ...args], { timeout: 60_000 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

describe('inferline CLI', () => {
  it('inspect prints inputs, outputs, opsets and size; --json gives the same as data', async () => {
    const text = await cli('inspect', generatedModel('multi-io'));
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/ai\.onnx 17/);
    expect(text.stdout).toMatch(/inputs:/);
    const json = await cli('inspect', generatedModel('mlp'), '--json');
    const described = JSON.parse(json.stdout) as { inputs: Array<{ name: string; dtype: string; shape: unknown[] }>; opsets: unknown[] };
    expect(described.inputs).toEqual([{ name: 'x', dtype: 'float32', shape: ['N', 256] }]);
    expect(described.opsets).toEqual([{ domain: '', version: 17 }]);
  });

  it('bench runs a concurrency sweep on an in-process model and writes JSON, CSV and SVG', async () => {
    const files = { json: join(kOut, 'r.json'), csv: join(kOut, 'r.csv'), svg: join(kOut, 'r.svg') };
    const result = await cli('bench', '--model-path', generatedModel('mlp'), '--concurrency', '1,4', '--window-ms', '150', '--max-windows', '3',
      '--json', files.json, '--csv', files.csv, '--svg', files.svg);
    expect(result.code, result.stderr).toBe(0);
    const report = JSON.parse(readFileSync(files.json, 'utf8')) as { levels: Array<{ concurrency: number; throughput: number; requests: number; errors: number; p50: number; p99: number }> };
    expect(report.levels.map((level) => level.concurrency)).toEqual([1, 4]);
    for (const level of report.levels) {
      expect(level.requests).toBeGreaterThan(0);
      expect(level.errors).toBe(0);
      expect(level.throughput).toBeGreaterThan(0);
      expect(level.p99).toBeGreaterThanOrEqual(level.p50);
    }
    const csv = readFileSync(files.csv, 'utf8').trim().split('\n');
    expect(csv[0]).toBe('concurrency,throughput,p50,p90,p95,p99,requests,errors,windows,stable');
    expect(csv).toHaveLength(3);
    const svg = readFileSync(files.svg, 'utf8');
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg.match(/<circle /g)).toHaveLength(4); // p50 and p99 per level
    expect(svg).toContain('c=4');
  });

  it('fails with exit code 1 and says why on bad usage', async () => {
    const unknown = await cli('frobnicate');
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/unknown command "frobnicate"/);
    const noTarget = await cli('bench', '--concurrency', '1');
    expect(noTarget.code).toBe(1);
    expect(noTarget.stderr).toMatch(/--url and --model.*--model-path/);
    const missing = await cli('inspect', join(kOut, 'absent.onnx'));
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/absent\.onnx/);
  });
});
