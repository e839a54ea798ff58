/** inferline's input/output metadata in onnxruntime-common's shape ({ name, isTensor, type, shape }). */
import type { InferenceSession, Tensor as OrtTensor } from 'onnxruntime-common';
import type { ValueMetadata } from '../session/value-metadata.js';

/**
 * Element types onnxruntime-common's Tensor can hold. inferline also carries bfloat16, which
 * onnxruntime-common has no name for; such values are described, but cannot be returned.
 */
export const kOrtTensorTypes: ReadonlySet<string> = new Set<OrtTensor.Type>([
  'float32', 'uint8', 'int8', 'uint16', 'int16', 'int32', 'int64', 'string', 'bool', 'float16', 'float64',
  'uint32', 'uint64', 'uint4', 'int4',
]);

/**
 * onnxruntime-node's metadata for the same value. A free dim without a name is '' there (ONNX
 * Runtime's empty symbolic name) where inferline says null. A type onnxruntime-common cannot name
 * (bfloat16, complex64...) is passed through as inferline names it, rather than failing the whole
 * session as onnxruntime-node does: the other inputs and outputs stay usable.
 */
export function toOrtValueMetadata(meta: ValueMetadata): InferenceSession.ValueMetadata {
  if (meta.dtype === 'non-tensor') return Object.freeze({ name: meta.name, isTensor: false });
  return Object.freeze({
    name: meta.name,
    isTensor: true,
    type: meta.dtype as OrtTensor.Type,
    shape: Object.freeze(meta.shape.map((dim) => dim ?? '')),
  });
}
