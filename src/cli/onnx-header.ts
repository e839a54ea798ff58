/**
 * Reads what `inferline inspect` shows and ONNX Runtime's API does not give: the ONNX file's IR
 * version, producer and opset imports. A minimal protobuf walk over ModelProto's top-level
 * fields; the graph (field 7, nearly all of the file) is skipped, never decoded.
 */
import { errors } from '../errors.js';

export interface OnnxHeader {
  irVersion: number | undefined;
  producerName: string;
  producerVersion: string;
  /** domain ('' = the default ONNX domain, "ai.onnx") → opset version. */
  opsets: Array<{ domain: string; version: number }>;
}

// ModelProto field numbers (onnx.proto).
const kIrVersion = 1;
const kProducerName = 2;
const kProducerVersion = 3;
const kOpsetImport = 8;
// OperatorSetIdProto
const kOpsetDomain = 1;
const kOpsetVersion = 2;

class Reader {
  offset = 0;
  constructor(readonly bytes: Uint8Array, readonly end = bytes.length) {}

  varint(): number {
    let result = 0;
    let scale = 1;
    for (let i = 0; i < 10; i++) {
      if (this.offset >= this.end) throw new RangeError('truncated varint');
      const byte = this.bytes[this.offset++]!;
      result += (byte & 0x7f) * scale;
      if ((byte & 0x80) === 0) return result;
      scale *= 128;
    }
    throw new RangeError('varint longer than 10 bytes');
  }

  /** Skips a field of `wireType`; returns [start, end) of a length-delimited one. */
  skip(wireType: number): [number, number] {
    switch (wireType) {
      case 0: this.varint(); return [0, 0];
      case 1: this.offset += 8; return [0, 0];
      case 5: this.offset += 4; return [0, 0];
      case 2: {
        const length = this.varint();
        const start = this.offset;
        this.offset += length;
        if (this.offset > this.end) throw new RangeError('field runs past the end');
        return [start, this.offset];
      }
      default: throw new RangeError(`unsupported wire type ${wireType}`);
    }
  }
}

const decoder = new TextDecoder();

/**
 * @throws ERR_INFERLINE_INVALID_ARG when the bytes are not a protobuf ModelProto.
 */
export function readOnnxHeader(bytes: Uint8Array, label: string): OnnxHeader {
  const header: OnnxHeader = { irVersion: undefined, producerName: '', producerVersion: '', opsets: [] };
  const reader = new Reader(bytes);
  try {
    while (reader.offset < reader.end) {
      const key = reader.varint();
      const field = Math.floor(key / 8);
      const wireType = key & 7;
      if (field === kIrVersion && wireType === 0) {
        header.irVersion = reader.varint();
        continue;
      }
      const [start, end] = reader.skip(wireType);
      if (wireType !== 2) continue;
      if (field === kProducerName) header.producerName = decoder.decode(bytes.subarray(start, end));
      else if (field === kProducerVersion) header.producerVersion = decoder.decode(bytes.subarray(start, end));
      else if (field === kOpsetImport) header.opsets.push(readOpset(bytes, start, end));
    }
  } catch (cause) {
    throw errors.invalidArg(`${label} is not an ONNX model: ${(cause as Error).message}`);
  }
  return header;
}

function readOpset(bytes: Uint8Array, start: number, end: number): { domain: string; version: number } {
  const reader = new Reader(bytes, end);
  reader.offset = start;
  let domain = '';
  let version = 0;
  while (reader.offset < end) {
    const key = reader.varint();
    const field = Math.floor(key / 8);
    const wireType = key & 7;
    if (field === kOpsetVersion && wireType === 0) {
      version = reader.varint();
      continue;
    }
    const [s, e] = reader.skip(wireType);
    if (field === kOpsetDomain && wireType === 2) domain = decoder.decode(bytes.subarray(s, e));
  }
  return { domain, version };
}
