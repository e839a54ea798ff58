/**
 * A model directory's config.json: what Model.load takes (the JSON-able options) plus what the
 * repository itself needs (version policy, declared inputs/outputs, warmup). A directory without
 * config.json is served with the defaults, as Triton does.
 */
import { readFile } from 'node:fs/promises';
import { isAbsolute, join, resolve } from 'node:path';
import type { ResultCacheOptions } from '../cache/result-cache.js';
import { errors } from '../errors.js';
import type { BatchingOptions, InstanceOptions, ModelOptions } from '../model/model-options.js';
import type { SessionOptions } from '../session/session-options.js';
import { checkKnownOptions, describe, isPlainObject } from '../validate.js';
import { type DeclaredTensor, resolveDeclared, wrapOptionError } from './declared-io.js';
import { type ResolvedVersionPolicy, type VersionPolicy, resolveVersionPolicy, kDefaultVersionPolicy } from './version-policy.js';
import { type ResolvedWarmup, type WarmupConfig, resolveWarmup } from './warmup.js';

/** What config.json may hold. Every key is optional. */
export interface ModelConfig {
  /** Must equal the directory's name when given. */
  name?: string;
  /** Default `{ "latest": { "numVersions": 1 } }`. */
  versionPolicy?: VersionPolicy;
  /** Declared inputs, checked against the model at load: all of them, each name, datatype, shape. */
  inputs?: DeclaredTensor[];
  /** Declared outputs, checked the same way (a subset is fine). */
  outputs?: DeclaredTensor[];
  /** Default "auto": one request of zeros built from the model's input shapes. */
  warmup?: WarmupConfig;
  session?: SessionOptions;
  instances?: InstanceOptions;
  batching?: BatchingOptions | false;
  cache?: ResultCacheOptions | false;
  /** Handler module path, relative to the model directory (or absolute). */
  preprocess?: string;
  postprocess?: string;
}

/** A checked config: Model.load's options apart from name, path and version. */
export interface ResolvedModelConfig {
  /** The config.json read, or undefined when the directory has none. */
  file: string | undefined;
  policy: ResolvedVersionPolicy;
  inputs: DeclaredTensor[] | undefined;
  outputs: DeclaredTensor[] | undefined;
  warmup: ResolvedWarmup;
  /** Handler paths already absolute; the other options are checked by Model.load itself. */
  modelOptions: Omit<ModelOptions, 'name' | 'path' | 'bytes' | 'version' | 'workers'>;
}

const kConfigKeys = ['name', 'versionPolicy', 'inputs', 'outputs', 'warmup', 'session', 'instances', 'batching', 'cache', 'preprocess', 'postprocess'] as const;
const kModelOptionKeys = ['session', 'instances', 'batching', 'cache'] as const;

export const kConfigFileName = 'config.json';

/**
 * Reads and checks `<modelDir>/config.json`.
 * @throws ERR_INFERLINE_MODEL_CONFIG naming the file: not JSON (with the parser's message), not an
 * object, an unknown key (with the likely one), a name that is not the directory's, bad values.
 */
export async function readModelConfig(modelDir: string, name: string): Promise<ResolvedModelConfig> {
  const file = join(modelDir, kConfigFileName);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (cause) {
    if ((cause as NodeJS.ErrnoException).code === 'ENOENT') {
      return { file: undefined, policy: kDefaultVersionPolicy, inputs: undefined, outputs: undefined, warmup: 'auto', modelOptions: {} };
    }
    throw errors.modelConfig(`Model "${name}": ${file} cannot be read: ${(cause as Error).message}`, cause);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (cause) {
    throw errors.modelConfig(`Model "${name}": ${file} is not valid JSON: ${(cause as Error).message}`, cause);
  }
  return resolveModelConfig(json, modelDir, name, file);
}

/** Checks a parsed config; `file` is where it came from, for messages. */
export function resolveModelConfig(json: unknown, modelDir: string, name: string, file: string): ResolvedModelConfig {
  const where = `Model "${name}" (${file})`;
  if (!isPlainObject(json)) throw errors.modelConfig(`${where}: the config must be a JSON object, received ${describe(json)}`);
  wrapOptionError(() => checkKnownOptions(json, kConfigKeys, where));
  if (json.name !== undefined && json.name !== name) {
    throw errors.modelConfig(`${where}: name ${JSON.stringify(json.name)} differs from the directory's name "${name}"; remove it or make them equal`);
  }
  const modelOptions: ResolvedModelConfig['modelOptions'] = {};
  for (const key of kModelOptionKeys) {
    if (json[key] !== undefined) (modelOptions as Record<string, unknown>)[key] = json[key];
  }
  for (const key of ['preprocess', 'postprocess'] as const) {
    const value = json[key];
    if (value === undefined) continue;
    if (typeof value !== 'string' || value.length === 0) throw errors.modelConfig(`${where}: ${key} must be a module path relative to ${modelDir}, received ${describe(value)}`);
    modelOptions[key] = isAbsolute(value) ? value : resolve(modelDir, value);
  }
  return {
    file,
    policy: resolveVersionPolicy(json.versionPolicy, where),
    inputs: resolveDeclared(json.inputs, 'inputs', where),
    outputs: resolveDeclared(json.outputs, 'outputs', where),
    warmup: resolveWarmup(json.warmup, where),
    modelOptions,
  };
}
