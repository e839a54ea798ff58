// Loading ONNX Runtime and the addon: bad loadRuntime() arguments, a second library after the first
// is loaded, and, in fresh child processes, a library path that cannot be loaded and an addon that
// cannot be found. Importing inferline never throws; the error comes at first use.
import { execFile } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, rmSync, statSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadRuntime, runtimeInfo } from '../../src/index.js';
import { bundledLibraryPath } from '../../src/native.js';
import { expectThrows } from '../helpers/expect-error.js';
import { generatedModel } from '../helpers/paths.js';

const kRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const kChild = join(kRoot, 'test', 'errors', 'fixtures', 'first-use-child.ts');
const run = promisify(execFile);

interface StepOutcome {
  ok: boolean;
  code?: string;
  name?: string;
  message?: string;
  isInferlineError?: boolean;
  returnedPromise?: boolean;
}
type ChildReport = Record<'import' | 'create' | 'createAgain' | 'runtimeInfo' | 'loadRuntimeRetry', StepOutcome | undefined>;

/** True when dist/ (what `import 'inferline'` loads) is at least as new as every file in src/. */
function distIsFresh(): boolean {
  const entry = join(kRoot, 'dist', 'index.js');
  if (!existsSync(entry)) return false;
  const built = statSync(entry).mtimeMs;
  const sources = readdirSync(join(kRoot, 'src'), { recursive: true, encoding: 'utf8' }).filter((name) => name.endsWith('.ts'));
  return sources.every((name) => statSync(join(kRoot, 'src', name)).mtimeMs <= built);
}

/** Runs first-use-child.ts in a fresh Node process (no runtime loaded yet) and parses its report. */
async function firstUse(entry: string, env: NodeJS.ProcessEnv, retryLibrary?: string): Promise<ChildReport> {
  const args = ['--import', 'tsx', kChild, entry, generatedModel('add'), ...(retryLibrary === undefined ? [] : [retryLibrary])];
  const { stdout } = await run(process.execPath, args, { cwd: kRoot, env: { ...process.env, ...env }, timeout: 60_000 });
  const line = stdout.trim().split('\n').at(-1)!;
  return JSON.parse(line) as ChildReport;
}

describe('loadRuntime() arguments', () => {
  it('options that are not an object', () => {
    expectThrows(() => loadRuntime(5 as never), { code: 'ERR_INFERLINE_INVALID_ARG', kind: 'TypeError', includes: ['loadRuntime', 'options must be an object', 'number 5'] });
  });

  it('a misspelt option names the right one', () => {
    expectThrows(() => loadRuntime({ libaryPath: '/x' } as never), { code: 'ERR_INFERLINE_UNKNOWN_OPTION', kind: 'TypeError', includes: ['unknown option "libaryPath"', 'did you mean "libraryPath"?'] });
  });

  it('an empty or non-string libraryPath', () => {
    for (const libraryPath of ['', 5, null]) {
      expectThrows(() => loadRuntime({ libraryPath } as never), { code: 'ERR_INFERLINE_INVALID_ARG', kind: 'TypeError', includes: ['loadRuntime', 'libraryPath must be a non-empty string'] });
    }
  });

  it('an unknown logLevel', () => {
    expectThrows(() => loadRuntime({ logLevel: 'loud' } as never), { code: 'ERR_INFERLINE_INVALID_ARG', kind: 'TypeError', includes: ['loadRuntime', 'logLevel', 'verbose'] });
  });
});

describe('loadRuntime() once a runtime is loaded', () => {
  let loadedPath: string;
  beforeAll(() => {
    loadedPath = loadRuntime().ortLibraryPath;
  });

  it('the same path again is fine', () => {
    expect(loadRuntime({ libraryPath: loadedPath }).ortLibraryPath).toBe(loadedPath);
  });

  it('a different libraryPath is ERR_INFERLINE_RUNTIME_LOAD naming both paths', () => {
    const other = join(tmpdir(), 'other-onnxruntime', 'libonnxruntime.so.1');
    expectThrows(() => loadRuntime({ libraryPath: other }), {
      code: 'ERR_INFERLINE_RUNTIME_LOAD',
      kind: 'InferlineError',
      includes: [`"${loadedPath}"`, `"${other}"`, 'already loaded', 'one runtime per process'],
    });
    // The refusal changed nothing: the loaded runtime is still the first one.
    expect(runtimeInfo().ortLibraryPath).toBe(loadedPath);
  });

  it('the same library under another spelling (a relative path) is not a second runtime', () => {
    // Today the paths are compared as strings, so this throws "already loaded from <absolute>;
    // cannot load <relative> as well", although dlopen would return the very same library.
    const spelledRelative = relative(process.cwd(), loadedPath);
    expect(spelledRelative).not.toBe(loadedPath);
    expect(() => loadRuntime({ libraryPath: spelledRelative })).not.toThrow();
  });
});

describe('first use in a fresh process', () => {
  it('ORT_LIB_PATH=/nonexistent: the import succeeds, Session.create rejects with ERR_INFERLINE_RUNTIME_LOAD naming the path', async () => {
    const missing = '/nonexistent/libonnxruntime.so.1';
    const report = await firstUse(join(kRoot, 'src', 'index.ts'), { ORT_LIB_PATH: missing });
    expect(report.import).toEqual({ ok: true });
    for (const step of [report.create, report.createAgain]) {
      expect(step?.returnedPromise, 'Session.create returned a promise rather than throwing').toBe(true);
      expect(step?.code).toBe('ERR_INFERLINE_RUNTIME_LOAD');
      expect(step?.isInferlineError).toBe(true);
      expect(step?.name).toBe('InferlineError');
      expect(step?.message).toContain(`"${missing}"`);
      expect(step?.message).toContain('cannot open shared object file'); // dlerror()'s words
    }
    expect(report.runtimeInfo?.code).toBe('ERR_INFERLINE_RUNTIME_LOAD');
  });

  it('the same through the built package (import "inferline", i.e. dist/index.js)', async (context) => {
    // dist/ is a build output: when it is older than src/, this would test old code. Rebuild with
    // `npx tsc -p tsconfig.build.json` to run this check.
    if (!distIsFresh()) context.skip();
    const missing = '/nonexistent/libonnxruntime.so.1';
    const report = await firstUse('inferline', { ORT_LIB_PATH: missing });
    expect(report.import).toEqual({ ok: true });
    expect(report.create?.returnedPromise).toBe(true);
    expect(report.create?.code).toBe('ERR_INFERLINE_RUNTIME_LOAD');
    expect(report.create?.isInferlineError).toBe(true);
    expect(report.create?.message).toContain(`"${missing}"`);
  });

  it('ORT_LIB_PATH pointing at a library that is not ONNX Runtime (libc) says so', async () => {
    const libc = '/lib/x86_64-linux-gnu/libc.so.6';
    if (process.platform !== 'linux' || process.arch !== 'x64') return;
    const report = await firstUse(join(kRoot, 'src', 'index.ts'), { ORT_LIB_PATH: libc });
    expect(report.import).toEqual({ ok: true });
    expect(report.create?.code).toBe('ERR_INFERLINE_RUNTIME_LOAD');
    expect(report.create?.message).toContain(libc);
    expect(report.create?.message).toContain('OrtGetApiBase');
  });

  it('after a failed load, loadRuntime() with a good path either loads it or says why that path was not tried', async () => {
    // The load runs once per process (std::call_once): a later loadRuntime({ libraryPath: good })
    // gets the first failure back, which names only the first path.
    const good = bundledLibraryPath()!;
    const report = await firstUse(join(kRoot, 'src', 'index.ts'), { ORT_LIB_PATH: '/nonexistent/libonnxruntime.so.1' }, good);
    const retry = report.loadRuntimeRetry!;
    if (!retry.ok) {
      expect(retry.code).toBe('ERR_INFERLINE_RUNTIME_LOAD');
      expect(retry.message, 'the message names the path that was asked for').toContain(good);
    }
  });

  describe('the addon cannot be found', () => {
    let copy: string;
    beforeAll(() => {
      // A copy of the package without build/ or prebuilds/: src/native.ts looks for the addon
      // next to itself, so the copy has none to load.
      copy = mkdtempSync(join(tmpdir(), 'inferline-no-addon-'));
      cpSync(join(kRoot, 'src'), join(copy, 'src'), { recursive: true });
      cpSync(join(kRoot, 'package.json'), join(copy, 'package.json'));
      symlinkSync(join(kRoot, 'node_modules'), join(copy, 'node_modules'), 'dir');
    });
    afterAll(() => rmSync(copy, { recursive: true, force: true }));

    it('the import succeeds; Session.create rejects and runtimeInfo() throws ERR_INFERLINE_ADDON_LOAD saying where it looked and what to do', async () => {
      const report = await firstUse(join(copy, 'src', 'index.ts'), {});
      expect(report.import).toEqual({ ok: true });
      for (const step of [report.create, report.createAgain, report.runtimeInfo]) {
        expect(step?.code).toBe('ERR_INFERLINE_ADDON_LOAD');
        expect(step?.isInferlineError).toBe(true);
        expect(step?.message).toContain(copy);
        expect(step?.message).toContain('prebuilds/');
        expect(step?.message).toContain('build/Release/');
        expect(step?.message).toContain('npm rebuild');
      }
      expect(report.create?.returnedPromise).toBe(true);
    });
  });
});
