import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createRequire } from 'node:module';
import { ensureRuntime, kLogLevels, type RuntimeOptions } from '../native.js';
import { errors } from '../errors.js';
import { checkKnownOptions, optionsObject } from '../validate.js';

export type { RuntimeOptions } from '../native.js';

export interface RuntimeInfo {
  /** ONNX Runtime's version string, e.g. "1.30.0". */
  ortVersion: string;
  /** The libonnxruntime that was loaded. */
  ortLibraryPath: string;
  /** inferline's version. */
  addonVersion: string;
  /** The C API version inferline asks ONNX Runtime for (that of the headers it was built with). */
  ortApiVersion: number;
  /** Execution providers usable here: 'cpu', plus 'cuda'/'tensorrt' where their libraries are present. */
  providers: string[];
  /** Inference threads in inferline's pool (INFERLINE_THREADS, default: one per CPU). */
  threads: number;
}

const require = createRequire(import.meta.url);
const kAddonVersion = (require('../../package.json') as { version: string }).version;

const kProviderLibraries: Record<string, [string, string]> = {
  CUDAExecutionProvider: ['cuda', 'libonnxruntime_providers_cuda.so'],
  TensorrtExecutionProvider: ['tensorrt', 'libonnxruntime_providers_tensorrt.so'],
};

/**
 * Loads ONNX Runtime now, from an explicit library path if given (else ORT_LIB_PATH, else the
 * library onnxruntime-node ships). Optional: the first Session.create does it too.
 *
 * @throws ERR_INFERLINE_RUNTIME_LOAD when the library cannot be loaded or another is loaded
 * already; ERR_INFERLINE_ADDON_LOAD when the addon itself cannot be loaded.
 */
export function loadRuntime(options?: RuntimeOptions): RuntimeInfo {
  const checked = optionsObject(options, 'loadRuntime');
  checkKnownOptions(checked, ['libraryPath', 'logLevel'], 'loadRuntime');
  if (checked.libraryPath !== undefined && (typeof checked.libraryPath !== 'string' || checked.libraryPath === '')) {
    throw errors.invalidArg('loadRuntime: libraryPath must be a non-empty string');
  }
  if (checked.logLevel !== undefined && !kLogLevels.includes(checked.logLevel as never)) {
    throw errors.invalidArg(`loadRuntime: logLevel must be one of ${kLogLevels.join(', ')}`);
  }
  ensureRuntime(checked as RuntimeOptions);
  return runtimeInfo();
}

/**
 * What inferline runs on: ONNX Runtime's version and library, the addon's version, and the
 * execution providers available. Loads ONNX Runtime if needed.
 *
 * @example
 * runtimeInfo() // { ortVersion: '1.30.0', providers: ['cpu'], ... }
 * @throws ERR_INFERLINE_RUNTIME_LOAD, ERR_INFERLINE_ADDON_LOAD
 */
export function runtimeInfo(): RuntimeInfo {
  const native = ensureRuntime().runtimeInfo();
  const libraryDir = dirname(native.ortLibraryPath);
  const providers = ['cpu'];
  // A build may list CUDA/TensorRT (onnxruntime-node's does) without their provider libraries
  // being present; only report what a session could actually use.
  for (const name of native.ortProviders) {
    const entry = kProviderLibraries[name];
    if (entry !== undefined && existsSync(join(libraryDir, entry[1]))) providers.push(entry[0]);
  }
  return {
    ortVersion: native.ortVersion,
    ortLibraryPath: native.ortLibraryPath,
    addonVersion: kAddonVersion,
    ortApiVersion: native.apiVersion,
    providers,
    threads: native.threads,
  };
}
