/** `inferline inspect model.onnx`: a model's inputs, outputs, opsets, producer and size. */
import { readFile, stat } from 'node:fs/promises';
import { Session } from '../session/session.js';
import type { ValueMetadata } from '../session/value-metadata.js';
import { readOnnxHeader } from './onnx-header.js';

export interface ModelDescription {
  path: string;
  bytes: number;
  irVersion: number | undefined;
  producer: string;
  opsets: Array<{ domain: string; version: number }>;
  inputs: ValueMetadata[];
  outputs: ValueMetadata[];
}

/** Loads the model in a Session (so ONNX Runtime validates it) and reads its header. */
export async function describeModel(path: string): Promise<ModelDescription> {
  const [bytes, info] = await Promise.all([readFile(path), stat(path)]);
  const header = readOnnxHeader(bytes, `"${path}"`);
  const session = await Session.create(bytes, { name: path });
  try {
    return {
      path,
      bytes: info.size,
      irVersion: header.irVersion,
      producer: [header.producerName, header.producerVersion].filter(Boolean).join(' '),
      opsets: header.opsets,
      inputs: [...session.inputs],
      outputs: [...session.outputs],
    };
  } finally {
    await session.close();
  }
}

function formatValue(value: ValueMetadata): string {
  return `  ${value.name}: ${value.dtype} [${value.shape.map((dim) => (dim === null ? '?' : String(dim))).join(', ')}]`;
}

function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}

export function formatDescription(model: ModelDescription): string {
  const opsets = model.opsets.map((o) => `${o.domain === '' ? 'ai.onnx' : o.domain} ${o.version}`).join(', ');
  return [
    `${model.path} (${formatBytes(model.bytes)})`,
    `IR version ${model.irVersion ?? '?'}; opsets: ${opsets || 'none declared'}${model.producer ? `; produced by ${model.producer}` : ''}`,
    `inputs:`,
    ...model.inputs.map(formatValue),
    `outputs:`,
    ...model.outputs.map(formatValue),
  ].join('\n');
}
