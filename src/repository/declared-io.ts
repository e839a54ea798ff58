/**
 * Inputs and outputs a config.json declares, checked against what the loaded model has: a model
 * file swapped for one with other inputs then fails to load instead of failing every request.
 */
import { errors } from '../errors.js';
import type { Model } from '../model/model.js';
import { datatypeOf, dtypeOfDatatype, kDatatypes, type KServeDatatype } from '../tensor/kserve-datatype.js';
import { isDType } from '../tensor/dtype.js';
import type { ValueMetadata } from '../session/value-metadata.js';
import { checkKnownOptions, describe, isInteger, isPlainObject } from '../validate.js';

/** One declared input or output; `shape` holds -1 for a dimension of any size. */
export interface DeclaredTensor {
  name: string;
  /** KServe datatype, e.g. "FP32". */
  datatype: KServeDatatype;
  shape: number[];
}

const kDeclaredKeys = ['name', 'datatype', 'shape'] as const;

/** Checks config.json's `inputs` or `outputs` list. */
export function resolveDeclared(input: unknown, key: 'inputs' | 'outputs', where: string): DeclaredTensor[] | undefined {
  if (input === undefined) return undefined;
  if (!Array.isArray(input)) throw errors.modelConfig(`${where}: ${key} must be an array of { name, datatype, shape }, received ${describe(input)}`);
  const seen = new Set<string>();
  return input.map((item: unknown, i) => {
    const what = `${where}: ${key}[${i}]`;
    if (!isPlainObject(item)) throw errors.modelConfig(`${what} must be an object { name, datatype, shape }, received ${describe(item)}`);
    wrapOptionError(() => checkKnownOptions(item, kDeclaredKeys, what));
    if (typeof item.name !== 'string' || item.name.length === 0) throw errors.modelConfig(`${what}.name must be a non-empty string, received ${describe(item.name)}`);
    if (seen.has(item.name)) throw errors.modelConfig(`${what}: "${item.name}" is declared twice`);
    seen.add(item.name);
    if (dtypeOfDatatype(item.datatype) === undefined) {
      throw errors.modelConfig(`${what}.datatype must be one of ${kDatatypes.join(', ')}, received ${describe(item.datatype)}`);
    }
    if (!Array.isArray(item.shape) || !item.shape.every((dim) => isInteger(dim, -1))) {
      throw errors.modelConfig(`${what}.shape must be an array of integers ≥ -1 (-1: any size), received ${JSON.stringify(item.shape)}`);
    }
    return { name: item.name, datatype: item.datatype as KServeDatatype, shape: [...(item.shape as number[])] };
  });
}

/** Runs a validate.ts check, turning its error into ERR_INFERLINE_MODEL_CONFIG (same words). */
export function wrapOptionError(check: () => void): void {
  try {
    check();
  } catch (cause) {
    throw errors.modelConfig((cause as Error).message, cause);
  }
}

function datatypeName(dtype: string): string {
  return isDType(dtype) ? datatypeOf(dtype) : dtype;
}

function formatShape(shape: ReadonlyArray<number | string | null>): string {
  return `[${shape.map((dim) => (dim === null ? '?' : String(dim))).join(',')}]`;
}

/** A declared dim fits a model dim when either is free, or both are the same size. */
function shapeFits(declared: readonly number[], actual: ValueMetadata['shape']): boolean {
  return declared.length === actual.length && declared.every((dim, i) => dim === -1 || typeof actual[i] !== 'number' || actual[i] === dim);
}

function checkList(declared: readonly DeclaredTensor[], actual: readonly ValueMetadata[], kind: 'input' | 'output', where: string): void {
  for (const item of declared) {
    const meta = actual.find((value) => value.name === item.name);
    if (meta === undefined) {
      throw errors.modelConfig(`${where}: declares ${kind} "${item.name}", but the model's ${kind}s are ${actual.map((v) => `"${v.name}"`).join(', ')}`);
    }
    if (dtypeOfDatatype(item.datatype) !== meta.dtype) {
      throw errors.modelConfig(`${where}: ${kind} "${item.name}" is declared ${item.datatype}, but the model has ${datatypeName(meta.dtype)}`);
    }
    if (!shapeFits(item.shape, meta.shape)) {
      throw errors.modelConfig(`${where}: ${kind} "${item.name}" is declared with shape ${formatShape(item.shape)}, but the model has ${formatShape(meta.shape)}`);
    }
  }
}

/**
 * Throws ERR_INFERLINE_MODEL_CONFIG naming the first difference between the declared and the
 * actual inputs and outputs. Every model input must be declared (a request needs them all);
 * outputs may be a subset.
 */
export function checkDeclaredIo(model: Model, inputs: readonly DeclaredTensor[] | undefined, outputs: readonly DeclaredTensor[] | undefined, where: string): void {
  if (inputs !== undefined) {
    checkList(inputs, model.inputs, 'input', where);
    const missing = model.inputs.find((meta) => !inputs.some((item) => item.name === meta.name));
    if (missing !== undefined) {
      throw errors.modelConfig(`${where}: the model's input "${missing.name}" (${datatypeName(missing.dtype)} ${formatShape(missing.shape)}) is not declared in inputs`);
    }
  }
  if (outputs !== undefined) checkList(outputs, model.outputs, 'output', where);
}
