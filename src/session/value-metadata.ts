/** What a session declares about its inputs and outputs. */
import type { NativeValueInfo } from '../native.js';
import { type DType, dtypeOfOnnxType, onnxTypeName } from '../tensor/dtype.js';

export interface ValueMetadata {
  readonly name: string;
  /** Element type; for values inferline cannot carry, the ONNX name (e.g. 'complex64', 'non-tensor'). */
  readonly dtype: DType | string;
  /** Per dim: a fixed size, the symbolic name of a free dim, or null when unnamed and free. */
  readonly shape: ReadonlyArray<number | string | null>;
}

export function toValueMetadata(info: NativeValueInfo): ValueMetadata {
  return Object.freeze({
    name: info.name,
    dtype: dtypeOfOnnxType(info.type) ?? onnxTypeName(info.type),
    shape: Object.freeze(info.shape),
  });
}

export function formatDeclared(meta: ValueMetadata): string {
  return `${meta.dtype} [${meta.shape.map((dim) => (dim === null ? '?' : String(dim))).join(',')}]`;
}
