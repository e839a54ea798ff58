/** String tensors as bytes, for the result cache to hash, store and compare like any other input. */

/**
 * A string tensor's bytes: for each string its UTF-8 length (4 bytes, little-endian), then its
 * UTF-8. The lengths keep ['ab', 'c'] apart from ['a', 'bc'].
 */
export function encodeStrings(strings: readonly string[]): Buffer {
  let total = 4 * strings.length;
  for (const text of strings) total += Buffer.byteLength(text, 'utf8');
  const encoded = Buffer.allocUnsafeSlow(total);
  let offset = 0;
  for (const text of strings) {
    const written = encoded.write(text, offset + 4, 'utf8');
    encoded.writeUInt32LE(written, offset);
    offset += 4 + written;
  }
  return encoded;
}

/** Inverse of encodeStrings, for snapshots; undefined when `bytes` is not such an encoding. */
export function decodeStrings(bytes: Uint8Array, count: number): string[] | undefined {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const strings: string[] = [];
  let offset = 0;
  for (let i = 0; i < count; i++) {
    if (offset + 4 > buffer.length) return undefined;
    const length = buffer.readUInt32LE(offset);
    if (offset + 4 + length > buffer.length) return undefined;
    strings.push(buffer.toString('utf8', offset + 4, offset + 4 + length));
    offset += 4 + length;
  }
  return offset === buffer.length ? strings : undefined;
}
