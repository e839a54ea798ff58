/**
 * The protocol's messages as @grpc/proto-loader hands them to us and takes them back
 * (proto/grpc_service.proto, loaded with keepCase, defaults and oneofs: field names are the
 * .proto's snake_case ones, absent fields hold their defaults). Only what the server reads or
 * writes is typed.
 */

/** protobufjs's 64-bit integer (a Long): two 32-bit halves, exact where a number is not. */
export interface LongBits {
  low: number;
  high: number;
  unsigned: boolean;
}

/** What an int64/uint64 field holds once decoded (a Long) or may be given to encode. */
export type Int64Value = LongBits | number | string;

export interface InferParameter {
  bool_param?: boolean;
  int64_param?: Int64Value;
  string_param?: string;
  double_param?: number;
  uint64_param?: Int64Value;
  /** Which of the oneof's fields is set (proto-loader's `oneofs` option). */
  parameter_choice?: 'bool_param' | 'int64_param' | 'string_param' | 'double_param' | 'uint64_param';
}

export interface InferTensorContents {
  bool_contents: boolean[];
  int_contents: number[];
  int64_contents: Int64Value[];
  uint_contents: number[];
  uint64_contents: Int64Value[];
  fp32_contents: number[];
  fp64_contents: number[];
  bytes_contents: Uint8Array[];
}

export interface InferInputTensor {
  name: string;
  datatype: string;
  shape: Int64Value[];
  parameters: Record<string, InferParameter>;
  /** null when the client sent none (proto-loader leaves absent sub-messages null). */
  contents: InferTensorContents | null;
}

export interface InferRequestedOutputTensor {
  name: string;
  parameters: Record<string, InferParameter>;
}

export interface ModelInferRequest {
  model_name: string;
  model_version: string;
  id: string;
  parameters: Record<string, InferParameter>;
  inputs: InferInputTensor[];
  outputs: InferRequestedOutputTensor[];
  /** Views into the received message's buffer (no copy). */
  raw_input_contents: Buffer[];
}

export interface InferOutputTensor {
  name: string;
  datatype: string;
  shape: number[];
  contents?: Partial<InferTensorContents>;
}

export interface ModelInferResponse {
  model_name: string;
  model_version: string;
  id: string;
  outputs: InferOutputTensor[];
  raw_output_contents?: Uint8Array[];
}

export interface ModelIndex {
  name: string;
  version: string;
  state: string;
  reason: string;
}
