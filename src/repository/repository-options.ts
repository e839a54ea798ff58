/** ModelRepository.open's options: checked once, defaults filled. */
import { errors } from '../errors.js';
import { checkKnownOptions, describe, integerOption, optionsObject } from '../validate.js';
import type { ModelStateEvent } from './model-record.js';
import { isModelName } from './repository-scan.js';

/** 'all': serve every model directory (Triton's poll/none modes); 'explicit': only those loaded. */
export type RepositoryMode = 'all' | 'explicit';

export interface ModelRepositoryOptions {
  /** Scan the directory for changes every this many ms; default 0 (no polling; call poll()). */
  pollMs?: number;
  /** Default 'all'. */
  mode?: RepositoryMode;
  /** Explicit mode: the models to load at start (each must exist). */
  models?: string[];
  /** Run each version's warmup requests before it reports READY; default true. */
  warmup?: boolean;
  /**
   * ready() only when every model that should serve has a READY version; default false: ready()
   * once the start-up load is done, whatever failed (failures are in index() and the logs).
   */
  strictReadiness?: boolean;
  /** A 'state' listener attached before the first scan, so that it sees open()'s loads too. */
  onState?: (event: ModelStateEvent) => void;
}

export type ResolvedRepositoryOptions = Required<Omit<ModelRepositoryOptions, 'onState'>> & Pick<ModelRepositoryOptions, 'onState'>;

const kOptionNames = ['pollMs', 'mode', 'models', 'warmup', 'strictReadiness', 'onState'] as const;

export function resolveRepositoryOptions(input: unknown): ResolvedRepositoryOptions {
  const options = optionsObject(input, 'ModelRepository.open');
  checkKnownOptions(options, kOptionNames, 'ModelRepository.open');
  const mode = options.mode ?? 'all';
  if (mode !== 'all' && mode !== 'explicit') throw errors.invalidArg(`ModelRepository.open: mode must be 'all' or 'explicit', received ${describe(mode)}`);
  let models: string[] = [];
  if (options.models !== undefined) {
    if (!Array.isArray(options.models) || !options.models.every(isModelName)) {
      throw errors.invalidArg(`ModelRepository.open: models must be an array of model directory names, received ${JSON.stringify(options.models)}`);
    }
    if (mode !== 'explicit') throw errors.invalidArg(`ModelRepository.open: models applies to mode 'explicit' only; mode 'all' serves every model`);
    models = [...new Set(options.models as string[])];
  }
  for (const key of ['warmup', 'strictReadiness'] as const) {
    if (options[key] !== undefined && typeof options[key] !== 'boolean') throw errors.invalidArg(`ModelRepository.open: ${key} must be a boolean, received ${describe(options[key])}`);
  }
  if (options.onState !== undefined && typeof options.onState !== 'function') {
    throw errors.invalidArg(`ModelRepository.open: onState must be a function, received ${describe(options.onState)}`);
  }
  return {
    onState: options.onState as ModelRepositoryOptions['onState'],
    pollMs: options.pollMs === undefined ? 0 : integerOption(options.pollMs, 'ModelRepository.open: pollMs', 0, 2 ** 31 - 1),
    mode,
    models,
    warmup: (options.warmup as boolean | undefined) ?? true,
    strictReadiness: (options.strictReadiness as boolean | undefined) ?? false,
  };
}
