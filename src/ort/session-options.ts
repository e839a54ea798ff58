/**
 * Turns onnxruntime-common's InferenceSession.SessionOptions into inferline's SessionOptions.
 * Checks here use onnxruntime-common's option names, so a message names what the caller wrote
 * (`intraOpNumThreads`, not inferline's `intraOpThreads`).
 *
 * Like onnxruntime-node, options this binding has no use for are ignored (web-only ones such as
 * `enableGraphCapture` or `logVerbosityLevel`, so code shared with onnxruntime-web keeps
 * working). Options that would change what the caller gets, and that inferline cannot honour,
 * are refused with ERR_INFERLINE_UNSUPPORTED instead of being dropped silently.
 */
import type { InferenceSession } from 'onnxruntime-common';
import { errors } from '../errors.js';
import { kLogLevels } from '../native.js';
import type { ProviderOptions, SessionOptions } from '../session/session-options.js';
import { describe, isInteger, isPlainObject } from '../validate.js';

type OrtSessionOptions = InferenceSession.SessionOptions;
type GraphLevel = NonNullable<SessionOptions['graphOptimization']>;

const kWhat = 'InferenceSession.create: sessionOptions';

const kGraphLevels: Readonly<Record<string, GraphLevel>> = {
  disabled: 'disabled',
  basic: 'basic',
  extended: 'extended',
  layout: 'layout',
  all: 'all',
};

/** Provider names this backend registers; the registry drops every other name before us. */
export const kOrtProviderNames = ['cpu', 'cuda', 'tensorrt'] as const;
type OrtProviderName = (typeof kOrtProviderNames)[number];

function isProviderName(name: unknown): name is OrtProviderName {
  return typeof name === 'string' && (kOrtProviderNames as readonly string[]).includes(name);
}

function threadCount(value: unknown, name: string): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number') throw errors.invalidArg(`${kWhat}.${name} must be a number, received ${describe(value)}`);
  if (!isInteger(value, 0, 1024)) throw errors.outOfRange(`${kWhat}.${name} must be an integer from 0 to 1024, received ${describe(value)}`);
  return value;
}

function flag(value: unknown, name: string): boolean | undefined {
  if (value === undefined || typeof value === 'boolean') return value;
  throw errors.invalidArg(`${kWhat}.${name} must be a boolean, received ${describe(value)}`);
}

function oneOf<T extends string>(value: unknown, allowed: readonly T[], name: string): T | undefined {
  if (value === undefined) return undefined;
  if (typeof value === 'string' && (allowed as readonly string[]).includes(value)) return value as T;
  throw errors.invalidArg(`${kWhat}.${name} must be one of ${allowed.map((a) => `'${a}'`).join(', ')}, received ${describe(value)}`);
}

function logLevel(value: unknown): SessionOptions['logLevel'] {
  if (value === undefined) return undefined;
  if (!isInteger(value, 0, 4)) {
    throw errors.outOfRange(`${kWhat}.logSeverityLevel must be one of 0, 1, 2, 3, 4 (verbose to fatal), received ${describe(value)}`);
  }
  return kLogLevels[value];
}

function freeDimensions(value: unknown): Record<string, number> | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw errors.invalidArg(`${kWhat}.freeDimensionOverrides must be an object of { dimName: size }, received ${describe(value)}`);
  }
  const sizes: Record<string, number> = {};
  for (const [name, size] of Object.entries(value)) {
    if (!isInteger(size, 0, Number.MAX_SAFE_INTEGER)) {
      throw errors.outOfRange(`${kWhat}.freeDimensionOverrides.${name} must be a non-negative integer, received ${describe(size)}`);
    }
    sizes[name] = size;
  }
  return sizes;
}

/** One executionProviders entry as inferline's provider, plus the CPU arena choice it may carry. */
function provider(entry: unknown, index: number): { provider: OrtProviderName | ProviderOptions; useArena?: boolean } {
  const what = `${kWhat}.executionProviders[${index}]`;
  const name: unknown = typeof entry === 'string' ? entry : isPlainObject(entry) ? entry.name : undefined;
  if (name === undefined) throw errors.invalidArg(`${what} must be a provider name or an object with a name, received ${describe(entry)}`);
  if (!isProviderName(name)) {
    throw errors.unsupported(`${what}: execution provider ${JSON.stringify(name)} is not supported by inferline; use 'cpu', 'cuda' or 'tensorrt'`);
  }
  if (typeof entry === 'string') return { provider: name };
  const options = entry as Record<string, unknown>;
  if (name === 'cpu') {
    // The CPU provider's arena and the session's CPU arena are the same allocator in ONNX Runtime.
    return { provider: 'cpu', useArena: flag(options.useArena, `executionProviders[${index}].useArena`) };
  }
  // onnxruntime-node reads only deviceId from cuda and tensorrt entries; do the same, so that an
  // option it ignores cannot make ONNX Runtime reject the session here.
  if (options.deviceId === undefined) return { provider: name };
  if (!isInteger(options.deviceId, 0, 1024)) {
    throw errors.outOfRange(`${what}.deviceId must be a non-negative integer, received ${describe(options.deviceId)}`);
  }
  return { provider: { name, deviceId: options.deviceId } };
}

function refuseUnsupported(options: OrtSessionOptions): void {
  if (options.optimizedModelFilePath !== undefined) {
    throw errors.unsupported(`${kWhat}.optimizedModelFilePath: inferline does not write optimized models; remove the option`);
  }
  const external = (options as { externalData?: unknown }).externalData;
  if (Array.isArray(external) && external.length > 0) {
    throw errors.unsupported(
      `${kWhat}.externalData: inferline cannot take external initializers from memory; ` +
        'load the model from its file path so ONNX Runtime finds the data files next to it',
    );
  }
  if (options.extra !== undefined && (typeof options.extra !== 'object' || options.extra === null || Object.keys(options.extra).length > 0)) {
    throw errors.unsupported(`${kWhat}.extra: inferline does not take ONNX Runtime session config entries; remove the option`);
  }
  const location = options.preferredOutputLocation;
  if (location !== undefined) {
    const locations = typeof location === 'string' ? [location] : Object.values(location);
    const elsewhere = locations.find((where) => where !== 'cpu');
    if (elsewhere !== undefined) {
      throw errors.unsupported(`${kWhat}.preferredOutputLocation: inferline returns outputs in CPU memory only, received '${String(elsewhere)}'`);
    }
  }
}

/**
 * inferline's SessionOptions for onnxruntime-common's `options`.
 *
 * @throws ERR_INFERLINE_INVALID_ARG for an option of the wrong type or range;
 * ERR_INFERLINE_UNSUPPORTED for an option inferline cannot honour (optimizedModelFilePath,
 * externalData, extra, a non-CPU preferredOutputLocation, an execution provider other than
 * cpu/cuda/tensorrt).
 */
export function toSessionOptions(options: OrtSessionOptions | undefined): SessionOptions {
  const mapped: SessionOptions = {};
  if (options === undefined) return mapped;
  refuseUnsupported(options);

  const eps = options.executionProviders;
  let useArena: boolean | undefined;
  if (eps !== undefined) {
    if (!Array.isArray(eps)) throw errors.invalidArg(`${kWhat}.executionProviders must be an array, received ${describe(eps)}`);
    if (eps.length > 0) {
      const providers = eps.map(provider);
      mapped.providers = providers.map((entry) => entry.provider);
      useArena = providers.find((entry) => entry.useArena !== undefined)?.useArena;
    }
  }
  mapped.intraOpThreads = threadCount(options.intraOpNumThreads, 'intraOpNumThreads');
  mapped.interOpThreads = threadCount(options.interOpNumThreads, 'interOpNumThreads');
  const level = oneOf(options.graphOptimizationLevel, Object.keys(kGraphLevels), 'graphOptimizationLevel');
  if (level !== undefined) mapped.graphOptimization = kGraphLevels[level];
  mapped.executionMode = oneOf(options.executionMode, ['sequential', 'parallel'], 'executionMode');
  // The session option wins over a cpu entry's useArena, as the later setting does in ONNX Runtime.
  mapped.memoryArena = flag(options.enableCpuMemArena, 'enableCpuMemArena') ?? useArena;
  mapped.memoryPattern = flag(options.enableMemPattern, 'enableMemPattern');
  mapped.freeDimensions = freeDimensions(options.freeDimensionOverrides);
  mapped.logLevel = logLevel(options.logSeverityLevel);
  if (flag(options.enableProfiling, 'enableProfiling') === true) {
    const prefix = options.profileFilePrefix;
    if (prefix !== undefined && (typeof prefix !== 'string' || prefix.length === 0)) {
      throw errors.invalidArg(`${kWhat}.profileFilePrefix must be a non-empty string, received ${describe(prefix)}`);
    }
    // onnxruntime-node demands a prefix; ONNX Runtime's own default is kinder, so default it.
    mapped.profile = prefix ?? 'onnxruntime_profile';
  }
  if (options.logId !== undefined) {
    if (typeof options.logId !== 'string') throw errors.invalidArg(`${kWhat}.logId must be a string, received ${describe(options.logId)}`);
    // logId labels the session in ONNX Runtime's log; inferline labels it in messages by `name`.
    if (options.logId.length > 0) mapped.name = options.logId;
  }
  for (const key of Object.keys(mapped) as Array<keyof SessionOptions>) if (mapped[key] === undefined) delete mapped[key];
  return mapped;
}
