/**
 * What identifies a request to the result cache: every input's name, dtype, shape and bytes.
 * The bytes are hashed in place by the addon (one call for all inputs), and compared in full
 * with an entry's private copy before a hit.
 */
import { errors } from '../errors.js';
import type { DType } from '../tensor/dtype.js';
import { type Shape, Tensor } from '../tensor/tensor.js';
import { describe } from '../validate.js';
import { hash128Key, hash128ListKey } from './hash128.js';
import { headerSeed } from './header-seed.js';
import { encodeStrings } from './string-bytes.js';

/** One input's bytes as the cache hashes, stores and compares them. */
export type InputBytes = Exclude<Tensor['data'], string[]>;

/** A request's inputs, in name order, and the key they make. */
export interface RequestKey {
  /**
   * The Map key: the 128-bit digest of all the input bytes, seeded with the cache's identity and
   * a hash of every input's name, dtype and shape. Equal keys make a hit only when names,
   * dtypes, shapes and bytes compare equal in full (sameRequest).
   */
  readonly key: string;
  readonly names: readonly string[];
  readonly dtypes: readonly DType[];
  readonly shapes: readonly Shape[];
  /** Each input's bytes in place: its typed array, or the encoding of a string tensor. */
  readonly bytes: readonly InputBytes[];
  /** Sum of the byte lengths of `bytes`. */
  readonly inputBytes: number;
}

/** Bytes the key must cover for `tensor`; throws if its buffer no longer holds them. */
function tensorBytes(tensor: Tensor, name: string, what: string): InputBytes {
  const data = tensor.data;
  if (Array.isArray(data)) return encodeStrings(data);
  let count = 1;
  for (let i = 0; i < tensor.shape.length; i++) count *= tensor.shape[i]!;
  if (data.length !== count) {
    if (data.byteLength === 0) throw errors.detachedBuffer(`${what} input "${name}": its data's ArrayBuffer is detached (transferred to another thread?)`);
    throw errors.invalidTensorRange(`${what} input "${name}": shape [${tensor.shape.join(',')}] holds ${count} elements, data has ${data.length}`);
  }
  return data;
}

/**
 * The key of parts already checked, shared by lookups and snapshot loading: one input (the
 * usual case) is hashed alone, a cheaper call than a list of one.
 */
export function keyOf(names: readonly string[], dtypes: readonly DType[], shapes: readonly Shape[], bytes: readonly InputBytes[], seed: number): string {
  const seeded = headerSeed(seed, names, dtypes, shapes);
  return bytes.length === 1 ? hash128Key(bytes[0]!, seeded) : hash128ListKey(bytes, seeded);
}

/**
 * The key of `feeds` (input name → Tensor), under `seed` (the cache's identity). Input order
 * does not matter: names are sorted.
 *
 * @throws ERR_INFERLINE_INVALID_ARG when feeds is not an object of Tensors;
 * ERR_INFERLINE_DETACHED_BUFFER when an input's buffer was transferred.
 */
export function requestKey(feeds: Readonly<Record<string, Tensor>>, seed: number, what: string): RequestKey {
  if (typeof feeds !== 'object' || feeds === null) throw errors.invalidArg(`${what}: feeds must be an object of Tensors, received ${describe(feeds)}`);
  const names = Object.keys(feeds);
  if (names.length > 1) names.sort();
  const dtypes: DType[] = new Array(names.length);
  const shapes: Shape[] = new Array(names.length);
  const bytes: InputBytes[] = new Array(names.length);
  let inputBytes = 0;
  for (let i = 0; i < names.length; i++) {
    const name = names[i]!;
    const tensor = feeds[name];
    if (!(tensor instanceof Tensor)) {
      throw errors.invalidArg(`${what} input "${name}": expected a Tensor (new Tensor(dtype, data, shape)), received ${describe(tensor)}`);
    }
    dtypes[i] = tensor.dtype;
    shapes[i] = tensor.shape;
    const data = tensorBytes(tensor, name, what);
    bytes[i] = data;
    inputBytes += data.byteLength;
  }
  return { key: keyOf(names, dtypes, shapes, bytes, seed), names, dtypes, shapes, bytes, inputBytes };
}

/** `bytes` as a Uint8Array over the same memory (no copy). */
export function byteView(bytes: InputBytes): Uint8Array {
  return bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** What a stored entry (or a computation in flight) keeps of its request, to compare with. */
export interface StoredRequest {
  readonly names: readonly string[];
  readonly dtypes: readonly DType[];
  readonly shapes: readonly Shape[];
  /** Private copies of the input bytes. */
  readonly inputs: readonly Uint8Array[];
}

function sameShape(a: Shape, b: Shape): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * Whether `request` is the request `stored` keeps: same names, dtypes and shapes, and the same
 * bytes in full. Keys are digests, so this alone decides a hit.
 */
export function sameRequest(stored: StoredRequest, request: RequestKey): boolean {
  const count = request.names.length;
  if (stored.names.length !== count) return false;
  for (let i = 0; i < count; i++) {
    if (stored.names[i] !== request.names[i] || stored.dtypes[i] !== request.dtypes[i] || !sameShape(stored.shapes[i]!, request.shapes[i]!)) return false;
  }
  return sameBytes(stored.inputs, request.bytes);
}

/** Whether two requests' bytes are equal, input by input (memcmp through Buffer.compare). */
function sameBytes(stored: readonly Uint8Array[], bytes: readonly InputBytes[]): boolean {
  if (stored.length !== bytes.length) return false;
  for (let i = 0; i < stored.length; i++) {
    const view = byteView(bytes[i]!);
    if (stored[i]!.byteLength !== view.byteLength || Buffer.compare(stored[i]!, view) !== 0) return false;
  }
  return true;
}

/** Private copies of a request's shapes: its arrays belong to its caller's Tensors. */
export function copyShapes(request: RequestKey): number[][] {
  return request.shapes.map((shape) => [...shape]);
}

/** Private copies of a request's input bytes, in one allocation, for an entry to keep. */
export function copyInputs(request: RequestKey): Uint8Array[] {
  const backing = new Uint8Array(request.inputBytes);
  const copies: Uint8Array[] = new Array(request.bytes.length);
  let offset = 0;
  for (let i = 0; i < request.bytes.length; i++) {
    const view = byteView(request.bytes[i]!);
    backing.set(view, offset);
    copies[i] = backing.subarray(offset, offset + view.byteLength);
    offset += view.byteLength;
  }
  return copies;
}
