/**
 * Loads one version of a repository model all the way to READY: Model.load with the config's
 * options, the declared inputs/outputs check, then warmup. A version that fails any step is
 * unloaded again, so a failed load holds no sessions.
 */
import { join } from 'node:path';
import { errors } from '../errors.js';
import { Model } from '../model/model.js';
import type { ResolvedModelConfig } from './model-config.js';
import { checkDeclaredIo } from './declared-io.js';
import { runWarmup, warmupFeeds } from './warmup.js';

export const kModelFileName = 'model.onnx';

/**
 * @throws ERR_INFERLINE_MODEL_CONFIG for every failure, with the underlying error as `cause`
 * (a bad option, a missing or corrupt model.onnx, a declared input that differs, a failed warmup).
 */
export async function loadVersion(name: string, modelDir: string, version: string, config: ResolvedModelConfig, warmup: boolean): Promise<Model> {
  const where = `Model "${name}" version "${version}"`;
  const configured = config.file === undefined ? where : `${where} (${config.file})`;
  let model: Model;
  try {
    model = await Model.load({ name, version, path: join(modelDir, version, kModelFileName), ...config.modelOptions });
  } catch (cause) {
    // Option errors come from config.json: name it. Others (a corrupt file) concern the version.
    const code = (cause as { code?: unknown }).code;
    const fromOptions = code === 'ERR_INFERLINE_INVALID_ARG' || code === 'ERR_INFERLINE_UNKNOWN_OPTION' || code === 'ERR_INFERLINE_UNSUPPORTED';
    throw errors.modelConfig(`${fromOptions ? configured : where}: ${(cause as Error).message}`, cause);
  }
  try {
    checkDeclaredIo(model, config.inputs, config.outputs, configured);
    if (warmup) {
      const requests = warmupFeeds(model, config.warmup, config.modelOptions.preprocess !== undefined, configured);
      await runWarmup(model, requests, where);
    }
  } catch (error) {
    // Nothing reached this model but the warmup, which has settled: unloading cannot strand a request.
    await model.unload().catch(() => {});
    throw error;
  }
  return model;
}
