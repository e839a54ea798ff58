/** The protocol's server metadata and model metadata responses. */
import { createRequire } from 'node:module';
import type { Model } from '../../model/model.js';
import type { ServedModels } from '../../repository/served-models.js';
import { compareVersions } from '../../repository/static-models.js';
import type { ValueMetadata } from '../../session/value-metadata.js';
import { isDType } from '../../tensor/dtype.js';
import { datatypeOf } from '../../tensor/kserve-datatype.js';

const require = createRequire(import.meta.url);
// Same depth from src/server/kserve/ and dist/server/kserve/.
const kVersion = (require('../../../package.json') as { version: string }).version;

/** Protocol extensions this server implements (the names Triton uses). */
export const kExtensions: readonly string[] = ['binary_tensor_data', 'model_repository'];

export interface ServerMetadata {
  name: string;
  version: string;
  extensions: string[];
}

export interface TensorMetadata {
  name: string;
  datatype: string;
  /** -1 for a dimension the model leaves free. */
  shape: number[];
}

export interface ModelMetadata {
  name: string;
  versions: string[];
  platform: string;
  inputs: TensorMetadata[];
  outputs: TensorMetadata[];
}

export function serverMetadata(): ServerMetadata {
  return { name: 'inferline', version: kVersion, extensions: [...kExtensions] };
}

function tensorMetadata(value: ValueMetadata): TensorMetadata {
  return {
    name: value.name,
    // A type inferline cannot carry (complex64, a sequence) keeps its ONNX name, upper-cased.
    datatype: isDType(value.dtype) ? datatypeOf(value.dtype) : value.dtype.toUpperCase(),
    shape: value.shape.map((dim) => (typeof dim === 'number' ? dim : -1)),
  };
}

/** `model`'s metadata; `versions` lists the READY versions of its name, oldest first. */
export function modelMetadata(model: Model, models: ServedModels): ModelMetadata {
  const versions = models.index()
    .filter((entry) => entry.name === model.name && entry.state === 'READY')
    .map((entry) => entry.version)
    .sort(compareVersions);
  return {
    name: model.name,
    versions: versions.length > 0 ? versions : [model.version],
    platform: 'onnxruntime_onnx',
    inputs: model.inputs.map(tensorMetadata),
    outputs: model.outputs.map(tensorMetadata),
  };
}
