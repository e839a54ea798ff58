/** Element types a Tensor can hold, and the typed array that carries each. */

export type DType =
  | 'float32'
  | 'float64'
  | 'float16'
  | 'bfloat16'
  | 'int8'
  | 'int16'
  | 'int32'
  | 'int64'
  | 'uint8'
  | 'uint16'
  | 'uint32'
  | 'uint64'
  | 'bool'
  | 'string';

export type TensorData =
  | Float32Array
  | Float64Array
  | Int8Array
  | Int16Array
  | Int32Array
  | BigInt64Array
  | Uint8Array
  | Uint16Array
  | Uint32Array
  | BigUint64Array
  | string[];

type TypedArrayConstructor =
  | Float32ArrayConstructor
  | Float64ArrayConstructor
  | Int8ArrayConstructor
  | Int16ArrayConstructor
  | Int32ArrayConstructor
  | BigInt64ArrayConstructor
  | Uint8ArrayConstructor
  | Uint16ArrayConstructor
  | Uint32ArrayConstructor
  | BigUint64ArrayConstructor;

export interface DTypeInfo {
  readonly dtype: DType;
  /** ONNX TensorProto element type number (ONNXTensorElementDataType). */
  readonly onnxType: number;
  /** The typed array holding the data; null for string (a plain string[]). */
  readonly arrayType: TypedArrayConstructor | null;
}

// float16 and bfloat16 are raw 16-bit patterns in a Uint16Array and bool is one byte per element,
// as in onnxruntime-node, so data moves between the two without conversion.
const kTable: readonly DTypeInfo[] = [
  { dtype: 'float32', onnxType: 1, arrayType: Float32Array },
  { dtype: 'uint8', onnxType: 2, arrayType: Uint8Array },
  { dtype: 'int8', onnxType: 3, arrayType: Int8Array },
  { dtype: 'uint16', onnxType: 4, arrayType: Uint16Array },
  { dtype: 'int16', onnxType: 5, arrayType: Int16Array },
  { dtype: 'int32', onnxType: 6, arrayType: Int32Array },
  { dtype: 'int64', onnxType: 7, arrayType: BigInt64Array },
  { dtype: 'string', onnxType: 8, arrayType: null },
  { dtype: 'bool', onnxType: 9, arrayType: Uint8Array },
  { dtype: 'float16', onnxType: 10, arrayType: Uint16Array },
  { dtype: 'float64', onnxType: 11, arrayType: Float64Array },
  { dtype: 'uint32', onnxType: 12, arrayType: Uint32Array },
  { dtype: 'uint64', onnxType: 13, arrayType: BigUint64Array },
  { dtype: 'bfloat16', onnxType: 16, arrayType: Uint16Array },
];

export const kDTypes: ReadonlyMap<DType, DTypeInfo> = new Map(kTable.map((info) => [info.dtype, info]));

const kByOnnxType: ReadonlyArray<DTypeInfo | undefined> = (() => {
  const byType: Array<DTypeInfo | undefined> = [];
  for (const info of kTable) byType[info.onnxType] = info;
  return byType;
})();

const kOnnxTypeNames: Record<number, string> = { 14: 'complex64', 15: 'complex128', 17: 'float8e4m3fn', 18: 'float8e4m3fnuz', 19: 'float8e5m2', 20: 'float8e5m2fnuz', 21: 'uint4', 22: 'int4' };

/** The dtype for an ONNX element type number, or undefined if inferline does not carry it. */
export function dtypeOfOnnxType(onnxType: number): DType | undefined {
  return kByOnnxType[onnxType]?.dtype;
}

/** A readable name for any ONNX element type number, for metadata and messages. */
export function onnxTypeName(onnxType: number): string {
  if (onnxType < 0) return 'non-tensor';
  return kByOnnxType[onnxType]?.dtype ?? kOnnxTypeNames[onnxType] ?? `onnx-type-${onnxType}`;
}

export function isDType(value: unknown): value is DType {
  return typeof value === 'string' && kDTypes.has(value as DType);
}

/** The dtype a typed array most naturally holds (Uint8Array → uint8, Uint16Array → uint16). */
export function dtypeOfArray(data: unknown): DType | undefined {
  if (Array.isArray(data)) return data.every((item) => typeof item === 'string') ? 'string' : undefined;
  for (const info of kTable) {
    if (info.arrayType !== null && data instanceof info.arrayType) return info.dtype;
  }
  return undefined;
}

export const kDTypeNames: readonly DType[] = kTable.map((info) => info.dtype);
