/**
 * KServe v2 (Open Inference Protocol) tensor datatypes and inferline's dtypes. The repository
 * (declared inputs, warmup) and the serving front (HTTP, gRPC) translate through this one table.
 */
import type { DType } from './dtype.js';

export type KServeDatatype =
  | 'BOOL' | 'UINT8' | 'UINT16' | 'UINT32' | 'UINT64' | 'INT8' | 'INT16' | 'INT32' | 'INT64'
  | 'FP16' | 'BF16' | 'FP32' | 'FP64' | 'BYTES';

const kByDType: Readonly<Record<DType, KServeDatatype>> = {
  bool: 'BOOL',
  uint8: 'UINT8',
  uint16: 'UINT16',
  uint32: 'UINT32',
  uint64: 'UINT64',
  int8: 'INT8',
  int16: 'INT16',
  int32: 'INT32',
  int64: 'INT64',
  float16: 'FP16',
  bfloat16: 'BF16',
  float32: 'FP32',
  float64: 'FP64',
  string: 'BYTES',
};

const kByDatatype: ReadonlyMap<string, DType> = new Map(Object.entries(kByDType).map(([dtype, datatype]) => [datatype, dtype as DType]));

/** The protocol's name for `dtype`. */
export function datatypeOf(dtype: DType): KServeDatatype {
  return kByDType[dtype];
}

/** inferline's dtype for a protocol datatype; undefined for a name the protocol does not define. */
export function dtypeOfDatatype(datatype: unknown): DType | undefined {
  return typeof datatype === 'string' ? kByDatatype.get(datatype) : undefined;
}

/** Every datatype, for messages ("expected one of ..."). */
export const kDatatypes: readonly KServeDatatype[] = Object.values(kByDType);
