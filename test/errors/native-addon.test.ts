// The addon must survive whatever JavaScript passes it: every garbage call (see
// fixtures/native-garbage-cases.ts) must throw or reject with a JS error, and the process must stay
// alive and able to run a model. Each case runs in a child process so that an abort or a crash
// fails that case instead of killing the test runner.
import { execFile } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { kFactoryCases, kGarbageCases, type GarbageCase } from './fixtures/native-garbage-cases.js';

const kRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const kChild = join(kRoot, 'test', 'errors', 'fixtures', 'native-garbage-child.ts');

interface CaseReport {
  case: string;
  outcome: 'threw' | 'rejected' | 'returned' | 'resolved';
  error?: { code?: string; name: string; message: string; isInferlineError: boolean; isTypeError: boolean; isUserError: boolean };
}

interface ChildResult {
  reports: Map<string, CaseReport>;
  goodRun: { goodRun: boolean; detail?: string } | undefined;
  exitCode: number | null;
  signal: string | null;
  stderr: string;
}

/** What happened to one case: its report, and how the process that ran it ended. */
interface CaseResult {
  report: CaseReport | undefined;
  child: ChildResult;
}

function runChild(names: readonly string[]): Promise<ChildResult> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['--import', 'tsx', kChild, ...names], { cwd: kRoot, timeout: 60_000, maxBuffer: 16 << 20 }, (error, stdout, stderr) => {
      const reports = new Map<string, CaseReport>();
      let goodRun: ChildResult['goodRun'];
      for (const line of stdout.split('\n')) {
        if (!line.startsWith('{')) continue;
        const parsed = JSON.parse(line) as CaseReport | NonNullable<ChildResult['goodRun']>;
        if ('goodRun' in parsed) goodRun = parsed;
        else reports.set(parsed.case, parsed);
      }
      const failure = error as (Error & { code?: number | string; signal?: string }) | null;
      resolve({
        reports,
        goodRun,
        exitCode: failure === null ? 0 : typeof failure.code === 'number' ? failure.code : null,
        signal: failure?.signal ?? null,
        stderr,
      });
    });
  });
}

const kFactoryNames: readonly string[] = Object.values(kFactoryCases);
// Cases that run the caller's code inside the addon (getters, proxies) or swap its factories are
// the likeliest to take the process down: each gets a process of its own. The rest go in batches,
// and a batch whose process dies is rerun one case per process to find the culprit.
const kIsolated = [...kGarbageCases.filter((c) => c.userErrorAllowed === true).map((c) => c.name), ...kFactoryNames];
const kBatched = kGarbageCases.filter((c) => c.userErrorAllowed !== true).map((c) => c.name);
const kBatchSize = 12;

const results = new Map<string, CaseResult>();

async function runAll(): Promise<void> {
  const jobs: Array<readonly string[]> = kIsolated.map((name) => [name]);
  for (let i = 0; i < kBatched.length; i += kBatchSize) jobs.push(kBatched.slice(i, i + kBatchSize));
  const worker = async (): Promise<void> => {
    for (let job = jobs.shift(); job !== undefined; job = jobs.shift()) {
      const child = await runChild(job);
      const healthy = child.exitCode === 0 && child.signal === null && child.goodRun?.goodRun === true;
      if (job.length > 1 && !healthy) {
        for (const name of job) jobs.push([name]);
        continue;
      }
      for (const name of job) results.set(name, { report: child.reports.get(name), child });
    }
  };
  await Promise.all([worker(), worker()]);
}

function expectSurvived(name: string): CaseReport {
  const result = results.get(name);
  expect(result, `case ${name} ran`).toBeDefined();
  const { report, child } = result!;
  const died = `process ended with exit code ${String(child.exitCode)}, signal ${String(child.signal)}; stderr: ${child.stderr.slice(-600)}`;
  expect(child.signal, died).toBeNull();
  expect(child.exitCode, died).toBe(0);
  expect(report, `a report for ${name}; ${died}`).toBeDefined();
  expect(child.goodRun, 'a good run after the garbage').toEqual({ goodRun: true });
  return report!;
}

function expectJsError(garbage: GarbageCase, report: CaseReport): void {
  expect(['threw', 'rejected'], `${garbage.name} must throw or reject; it ${report.outcome}`).toContain(report.outcome);
  const error = report.error!;
  const described = `${error.name} ${String(error.code)}: ${error.message}`;
  const userError = garbage.userErrorAllowed === true && error.isUserError;
  expect(userError || /^ERR_INFERLINE_/.test(error.code ?? '') || error.isTypeError, `an ERR_INFERLINE_* code or a TypeError: ${described}`).toBe(true);
  if (garbage.code !== undefined) {
    expect(error.code, described).toBe(garbage.code);
    expect(error.isInferlineError, `built as an InferlineError: ${described}`).toBe(true);
  }
  if (garbage.message !== undefined) expect(error.message).toMatch(garbage.message);
}

describe('the addon answers garbage with JS errors and keeps the process alive', () => {
  beforeAll(runAll, 300_000);

  it.each(kGarbageCases.map((garbage) => [garbage.name, garbage] as const))('%s', (_name, garbage) => {
    expectJsError(garbage, expectSurvived(garbage.name));
  });

  it("a getter or proxy of the caller's that throws: its error propagates, or at least the answer is a proper InferlineError", () => {
    // The addon reads JS values with Get() and does not check for a pending exception afterwards:
    // the caller's exception is swallowed, a misleading message is built instead ("dims must be an
    // array" when the data getter threw; "could not allocate an ArrayBuffer" for a preallocated
    // element), and since the error factory cannot be called with an exception pending, the
    // result is a plain Error rather than an InferlineError.
    for (const garbage of kGarbageCases.filter((c) => c.userErrorAllowed === true)) {
      const result = results.get(garbage.name);
      const error = result?.report?.error;
      if (error === undefined) continue; // no report: the per-case test above fails for it
      const described = `${garbage.name} -> ${error.name} ${String(error.code)}: ${error.message}`;
      expect.soft(error.isUserError || (error.isInferlineError && error.code !== 'ERR_INFERLINE_INTERNAL'), described).toBe(true);
    }
  });

  it(kFactoryCases.makeTensorThrows, () => {
    const report = expectSurvived(kFactoryCases.makeTensorThrows);
    expect(report.outcome).toBe('rejected');
    expect(report.error).toMatchObject({ code: 'ERR_INFERLINE_INTERNAL', name: 'InferlineError', isInferlineError: true });
    expect(report.error!.message).toContain('output "y"');
    expect(report.error!.message).toContain('no tensor today');
  });

  it(kFactoryCases.makeErrorThrows, () => {
    const report = expectSurvived(kFactoryCases.makeErrorThrows);
    expect(report.outcome).toBe('threw');
    // The fallback is a plain Error, but with the code, so callers can still branch on it.
    expect(report.error).toMatchObject({ code: 'ERR_INFERLINE_INVALID_ARG', isInferlineError: false });
    expect(report.error!.message).toContain('expected 1 inputs');
  });
});
