/** Session.create's options: checked, defaults filled, and turned into what the addon reads. */
import { errors } from '../errors.js';
import { kLogLevels } from '../native.js';
import { checkKnownOptions, describe, integerOption, isInteger, isPlainObject, optionsObject } from '../validate.js';

export type ProviderName = 'cpu' | 'cuda' | 'tensorrt';

export interface ProviderOptions {
  name: ProviderName;
  /** GPU ordinal for cuda/tensorrt. */
  deviceId?: number;
  /** Provider-specific options, passed to ONNX Runtime as strings (e.g. gpu_mem_limit). */
  [option: string]: unknown;
}

export interface SessionOptions {
  /** Execution providers in order of preference; default ['cpu']. */
  providers?: Array<ProviderName | ProviderOptions>;
  /** Threads inside one run (ORT intra-op); 0 or absent: ONNX Runtime's default (one per core). */
  intraOpThreads?: number;
  /** Threads across parallel branches of a graph (ORT inter-op), with executionMode 'parallel'. */
  interOpThreads?: number;
  /** Graph optimisation level; default 'all', as in onnxruntime-node. */
  graphOptimization?: 'disabled' | 'basic' | 'extended' | 'layout' | 'all';
  executionMode?: 'sequential' | 'parallel';
  /** ONNX Runtime's CPU memory arena; default on. */
  memoryArena?: boolean;
  /** Memory pattern planning; default on. */
  memoryPattern?: boolean;
  /** Fixed sizes for symbolic dims (dim_param names), e.g. { N: 1 }. */
  freeDimensions?: Record<string, number>;
  /** Log level of this session. */
  logLevel?: 'verbose' | 'info' | 'warning' | 'error' | 'fatal';
  /** Profile runs: true, or the file name prefix; endProfiling() returns the file. */
  profile?: boolean | string;
  /** How messages name this session; default the model file's name. */
  name?: string;
}

export const kSessionOptionNames = [
  'providers',
  'intraOpThreads',
  'interOpThreads',
  'graphOptimization',
  'executionMode',
  'memoryArena',
  'memoryPattern',
  'freeDimensions',
  'logLevel',
  'profile',
  'name',
] as const;

// 'layout' (3) is ONNX Runtime's level between extended and all (ORT_ENABLE_LAYOUT, 1.22+).
const kGraphLevels = { disabled: 0, basic: 1, extended: 2, layout: 3, all: 99 } as const;
const kExecutionModes = { sequential: 0, parallel: 1 } as const;
const kProviderNames: readonly ProviderName[] = ['cpu', 'cuda', 'tensorrt'];

/** The object the addon's BuildSessionOptions reads. */
export interface NativeSessionOptions {
  intraOpThreads?: number;
  interOpThreads?: number;
  graphOptimizationLevel?: number;
  executionMode?: number;
  memoryArena?: boolean;
  memoryPattern?: boolean;
  logSeverityLevel?: number;
  freeDimensions?: Array<[string, number]>;
  profilePrefix?: string;
  providers?: Array<{ name: ProviderName; options: Array<[string, string]> }>;
}

function oneOf<T extends string>(value: unknown, allowed: readonly T[], what: string): T {
  if (typeof value === 'string' && (allowed as readonly string[]).includes(value)) return value as T;
  throw errors.invalidArg(`${what} must be one of ${allowed.map((a) => `'${a}'`).join(', ')}, received ${describe(value)}`);
}

function threads(value: unknown, what: string): number | undefined {
  return value === undefined ? undefined : integerOption(value, what, 0, 1024);
}

function booleanOption(value: unknown, what: string): boolean | undefined {
  if (value === undefined || typeof value === 'boolean') return value;
  throw errors.invalidArg(`${what} must be a boolean, received ${describe(value)}`);
}

function provider(entry: unknown, index: number): { name: ProviderName; options: Array<[string, string]> } {
  const what = `Session.create: providers[${index}]`;
  if (typeof entry === 'string') return { name: oneOf(entry, kProviderNames, what), options: [] };
  if (!isPlainObject(entry)) throw errors.invalidArg(`${what} must be a provider name or { name, ... }, received ${describe(entry)}`);
  const name = oneOf(entry.name, kProviderNames, `${what}.name`);
  const options: Array<[string, string]> = [];
  for (const [key, value] of Object.entries(entry)) {
    if (key === 'name') continue;
    if (key === 'deviceId') {
      if (!isInteger(value, 0, 1024)) throw errors.outOfRange(`${what}.deviceId must be a non-negative integer`);
      options.push(['device_id', String(value)]);
      continue;
    }
    if (!['string', 'number', 'boolean'].includes(typeof value)) {
      throw errors.invalidArg(`${what}.${key} must be a string, number or boolean (ONNX Runtime takes provider options as strings)`);
    }
    options.push([key, typeof value === 'boolean' ? (value ? '1' : '0') : String(value)]);
  }
  if (name === 'cpu' && options.length > 0) throw errors.invalidArg(`${what}: the cpu provider takes no options`);
  return { name, options };
}

/** Checks `options` and returns what the addon needs plus the session's label. */
export function normalizeSessionOptions(input: unknown, defaultLabel: string): { native: NativeSessionOptions; label: string } {
  const options = optionsObject(input, 'Session.create');
  checkKnownOptions(options, kSessionOptionNames, 'Session.create');
  const native: NativeSessionOptions = {};
  native.intraOpThreads = threads(options.intraOpThreads, 'Session.create: intraOpThreads');
  native.interOpThreads = threads(options.interOpThreads, 'Session.create: interOpThreads');
  if (options.graphOptimization !== undefined) {
    const level = oneOf(options.graphOptimization, Object.keys(kGraphLevels) as Array<keyof typeof kGraphLevels>, 'Session.create: graphOptimization');
    native.graphOptimizationLevel = kGraphLevels[level];
  }
  if (options.executionMode !== undefined) {
    const mode = oneOf(options.executionMode, Object.keys(kExecutionModes) as Array<keyof typeof kExecutionModes>, 'Session.create: executionMode');
    native.executionMode = kExecutionModes[mode];
  }
  native.memoryArena = booleanOption(options.memoryArena, 'Session.create: memoryArena');
  native.memoryPattern = booleanOption(options.memoryPattern, 'Session.create: memoryPattern');
  if (options.logLevel !== undefined) {
    native.logSeverityLevel = kLogLevels.indexOf(oneOf(options.logLevel, kLogLevels, 'Session.create: logLevel'));
  }
  if (options.freeDimensions !== undefined) {
    if (!isPlainObject(options.freeDimensions)) {
      throw errors.invalidArg('Session.create: freeDimensions must be an object of { dimName: size }');
    }
    native.freeDimensions = Object.entries(options.freeDimensions).map(([name, size]) => {
      if (typeof size !== 'number') {
        throw errors.invalidArg(`Session.create: freeDimensions.${name} must be a non-negative integer, received ${describe(size)}`);
      }
      if (!isInteger(size, 0, Number.MAX_SAFE_INTEGER)) {
        throw errors.outOfRange(`Session.create: freeDimensions.${name} must be a non-negative integer, received ${describe(size)}`);
      }
      return [name, size];
    });
  }
  if (options.profile !== undefined && options.profile !== false) {
    if (options.profile === true) native.profilePrefix = 'inferline_profile';
    else if (typeof options.profile === 'string' && options.profile.length > 0) native.profilePrefix = options.profile;
    else throw errors.invalidArg(`Session.create: profile must be a boolean or a file name prefix, received ${describe(options.profile)}`);
  }
  if (options.providers !== undefined) {
    if (!Array.isArray(options.providers) || options.providers.length === 0) {
      throw errors.invalidArg(`Session.create: providers must be a non-empty array such as ['cuda', 'cpu'], received ${describe(options.providers)}`);
    }
    native.providers = options.providers.map(provider);
  }
  let label = defaultLabel;
  if (options.name !== undefined) {
    if (typeof options.name !== 'string' || options.name.length === 0) throw errors.invalidArg('Session.create: name must be a non-empty string');
    label = options.name;
  }
  return { native, label };
}
