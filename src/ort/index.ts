/**
 * `inferline/ort`: onnxruntime-node's API, running on inferline. Importing this module registers
 * inferline as onnxruntime-common's backend for 'cpu', 'cuda' and 'tensorrt' and re-exports
 * onnxruntime-common, so code written for onnxruntime-node runs unchanged but for its import:
 * runs execute on inferline's threads instead of blocking the event loop, and outputs are handed
 * over without a copy.
 *
 * @example
 * import * as ort from 'inferline/ort'; // was: from 'onnxruntime-node'
 *
 * const session = await ort.InferenceSession.create('model.onnx', { intraOpNumThreads: 1 });
 * const x = new ort.Tensor('float32', new Float32Array(256), [1, 256]);
 * const { y } = await session.run({ x });
 * await session.release();
 *
 * Differences from onnxruntime-node: `cuda`/`tensorrt` are dropped with a warning where ONNX
 * Runtime's provider library is missing (so `['cuda', 'cpu']` falls back to CPU); run options
 * may carry an AbortSignal (`signal`, see {@link InferlineRunOptions}); outputs of a dtype
 * onnxruntime-common has no Tensor type for (bfloat16) are refused rather than the whole model;
 * graphOptimizationLevel 'layout' runs as 'all' (the same optimisers in ONNX Runtime 1.30);
 * freeDimensionOverrides is applied (onnxruntime-node 1.30 ignores it); options that would change
 * the result and that inferline cannot honour (optimizedModelFilePath, externalData, extra, a
 * non-CPU preferredOutputLocation) reject with ERR_INFERLINE_UNSUPPORTED instead of being dropped.
 *
 * onnxruntime-node loads the CommonJS copy of onnxruntime-common and this module the ES module
 * copy, so each keeps its own backend list: importing both leaves `onnxruntime-node`'s
 * InferenceSession on onnxruntime-node and this module's on inferline, in either import order.
 * Where both share one copy (a bundle that dedupes it), import this module first: onnxruntime-common
 * keeps whichever backend registered a name first, and inferline's higher priority then keeps it
 * ahead of onnxruntime-node's other names when a session lists no executionProviders.
 *
 * @throws Session creation and runs reject with inferline's errors (InferlineError, `code`
 * ERR_INFERLINE_*) for everything inferline checks; onnxruntime-common's own argument checks
 * (a missing feed, an unknown fetch name) throw its TypeError/RangeError/Error first.
 */
import { registerBackend } from 'onnxruntime-common';
import { InferlineBackend } from './backend.js';
import { kOrtProviderNames } from './session-options.js';

export * from 'onnxruntime-common';
export type { InferlineRunOptions } from './session-handler.js';

/**
 * Above onnxruntime-node's 100. In a registry both register in, a later registration at a lower
 * priority is ignored (so onnxruntime-node's cannot take 'cpu' from us), and a session that names
 * no executionProviders tries names in priority order (so ours come before its 'webgpu'). An equal
 * priority would make onnxruntime-common throw on the second registration: never 100.
 */
const kInferlinePriority = 200;

/**
 * One backend object per process: if this module is evaluated twice (two copies of inferline, or
 * a test runner re-importing it), the second registration passes the same object, which
 * onnxruntime-common accepts, instead of a second one at the same priority, which it throws on.
 */
const kBackendKey = Symbol.for('inferline.ort.backend');
const processWide = globalThis as typeof globalThis & { [kBackendKey]?: InferlineBackend };
const backend = (processWide[kBackendKey] ??= new InferlineBackend());

// At equal priority onnxruntime-common puts the later registration first; registering 'cpu' last
// makes it the first tried when a session names no executionProviders.
for (const name of [...kOrtProviderNames].reverse()) registerBackend(name, backend, kInferlinePriority);

/** One entry of listSupportedBackends(), as onnxruntime-node reports it. */
export interface SupportedBackend {
  /** The executionProviders name. */
  name: string;
  /** True when it works without installing anything more (the GPU providers need CUDA). */
  bundled: boolean;
}

/**
 * The execution provider names this module serves, in the form onnxruntime-node's function of
 * the same name returns. Whether cuda/tensorrt can run here is `runtimeInfo().providers`
 * (from 'inferline').
 *
 * @example
 * listSupportedBackends() // [{ name: 'cpu', bundled: true }, { name: 'cuda', bundled: false }, ...]
 */
export function listSupportedBackends(): SupportedBackend[] {
  return kOrtProviderNames.map((name) => ({ name, bundled: name === 'cpu' }));
}
