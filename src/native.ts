/**
 * The only module that loads the addon. It finds ONNX Runtime's library, loads it once per
 * process on first use, and registers the factories the addon builds errors and tensors with.
 */
import { existsSync, readdirSync, realpathSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { errorFromNative, errors } from './errors.js';
import { dtypeOfOnnxType } from './tensor/dtype.js';
import { Tensor } from './tensor/tensor.js';
import type { TensorData } from './tensor/dtype.js';

const require = createRequire(import.meta.url);
const kPackageRoot = join(dirname(fileURLToPath(import.meta.url)), '..');

/** What the addon reports about one model input or output. */
export interface NativeValueInfo {
  name: string;
  /** ONNX element type number; -1 for a non-tensor value. */
  type: number;
  shape: Array<number | string | null>;
}

export interface NativeSession {
  metadata(): { inputs: NativeValueInfo[]; outputs: NativeValueInfo[] };
  /** Dims in and outputs out through `staging`: see native/session/sync_runner.h. */
  runSync(datas: unknown[] | ArrayBufferView, staging: ArrayBuffer, outputs?: number[], preallocated?: unknown[]): unknown[] | undefined;
  /** run() without a signal: runSync's staging (a buffer of the run's own), resolved later. */
  runStaged(datas: unknown[] | ArrayBufferView, staging: ArrayBuffer, outputs?: number[], preallocated?: unknown[]): Promise<unknown[] | undefined>;
  /** run() with a signal (RunPlan); the addon also runs it without `cancellable`, which nothing here uses. */
  run(datas: unknown[], dims: unknown[], outputs: number[] | undefined, preallocated: unknown[] | undefined, cancellable: true): [Promise<Record<string, Tensor>>, number];
  runBatch(requests: unknown[][], dims: unknown[][], preallocated?: unknown[]): Promise<Array<Record<string, Tensor>>>;
  cancel(runId: number): void;
  close(): Promise<void>;
  endProfiling(): string;
}

interface NativeRuntimeInfo {
  ortVersion: string;
  ortLibraryPath: string;
  ortBuildInfo: string;
  apiVersion: number;
  threads: number;
  ortProviders: string[];
}

/** Bytes the addon reads in place: any TypedArray (Buffer included), DataView or ArrayBuffer. */
export type NativeBytes = ArrayBufferView | ArrayBuffer;

/**
 * The addon's 128-bit hash (native/cache/hash128_bindings.h): writes the digest into `out` as two
 * 64-bit words in host order; `seed` is an integer from 0 to 2^53 - 1. Needs no ONNX Runtime.
 */
export interface NativeHash {
  hash128(data: NativeBytes, out: Uint32Array | BigUint64Array, seed?: number): void;
  /** One digest of all of `list`, order and boundaries included. */
  hash128List(list: readonly NativeBytes[], out: Uint32Array | BigUint64Array, seed?: number): void;
}

interface Addon extends NativeHash {
  loadRuntime(libraryPath: string, logLevel: number): void;
  runtimeInfo(): NativeRuntimeInfo;
  setup(makeError: typeof errorFromNative, makeTensor: (type: number, data: TensorData, dims: number[]) => Tensor): void;
  createSession(source: string | Uint8Array, options: object, label: string): Promise<NativeSession>;
}

let addon: Addon | undefined;

function loadAddon(): Addon {
  if (addon !== undefined) return addon;
  try {
    const nodeGypBuild = require('node-gyp-build') as (dir: string) => Addon;
    addon = nodeGypBuild(kPackageRoot);
  } catch (cause) {
    throw errors.addonLoad(
      `Could not load inferline's native addon from ${kPackageRoot} (looked in prebuilds/ and build/Release/): ` +
        `${(cause as Error).message}. Rebuild it with \`npm rebuild inferline\` (needs a C++ compiler) ` +
        'or install a version with a prebuild for this platform.',
      cause,
    );
  }
  addon.setup(errorFromNative, (type, data, dims) => Tensor.fromTrusted(dtypeOfOnnxType(type)!, data, dims));
  return addon;
}

/** The addon's hash functions; loads the addon (not ONNX Runtime) on first use. */
export function nativeHash(): NativeHash {
  return loadAddon();
}

/** Where onnxruntime-node keeps its copy of libonnxruntime for this platform, if installed. */
export function bundledLibraryPath(): string | undefined {
  let packageJson: string;
  try {
    packageJson = require.resolve('onnxruntime-node/package.json');
  } catch {
    return undefined; // onnxruntime-node is not installed: the caller reports what to do
  }
  const dir = join(dirname(packageJson), 'bin', 'napi-v6', process.platform, process.arch);
  if (!existsSync(dir)) return undefined;
  const names = readdirSync(dir);
  const library =
    names.find((name) => name === 'libonnxruntime.so.1') ??
    names.find((name) => /^libonnxruntime\.[\d.]*dylib$/.test(name)) ??
    names.find((name) => name === 'onnxruntime.dll');
  return library === undefined ? undefined : join(dir, library);
}

export interface RuntimeOptions {
  /** Path of libonnxruntime; default: ORT_LIB_PATH, else onnxruntime-node's bundled library. */
  libraryPath?: string;
  /** ONNX Runtime's process-wide log level. */
  logLevel?: 'verbose' | 'info' | 'warning' | 'error' | 'fatal';
}

export const kLogLevels = ['verbose', 'info', 'warning', 'error', 'fatal'] as const;

let runtimeLoaded = false;

/** The same library under another spelling (relative, via a symlink) must compare equal. */
function canonicalPath(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return path; // missing file: let dlopen report it with the path as given
  }
}

/** Loads ONNX Runtime if it is not loaded yet, and returns the addon. */
export function ensureRuntime(options: RuntimeOptions = {}): Addon {
  const native = loadAddon();
  if (runtimeLoaded && options.libraryPath === undefined) return native;
  const libraryPath = options.libraryPath ?? process.env.ORT_LIB_PATH ?? bundledLibraryPath();
  if (libraryPath === undefined) {
    throw errors.runtimeLoad(
      'Could not find ONNX Runtime: ORT_LIB_PATH is not set and onnxruntime-node (which bundles the library) ' +
        'is not installed. Install onnxruntime-node or set ORT_LIB_PATH to libonnxruntime.so.',
    );
  }
  native.loadRuntime(canonicalPath(libraryPath), kLogLevels.indexOf(options.logLevel ?? 'warning'));
  runtimeLoaded = true;
  return native;
}
