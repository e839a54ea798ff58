/**
 * onnxruntime-common's InferenceSessionHandler over an inferline Session: what
 * `ort.InferenceSession` calls once it has picked the inferline backend.
 */
import type { InferenceSession, InferenceSessionHandler, SessionHandler, Tensor as OrtTensor } from 'onnxruntime-common';
import type { Feeds, RunOptions, Session } from '../session/session.js';
import type { Tensor } from '../tensor/tensor.js';
import { toInferlineFeeds, toOrtTensor, toPreallocated, unrepresentable } from './tensor-bridge.js';
import { kOrtTensorTypes, toOrtValueMetadata } from './value-metadata.js';

/**
 * onnxruntime-common's RunOptions plus inferline's `signal`: aborting it drops a queued run or
 * terminates a running one, and the run rejects with ERR_INFERLINE_ABORTED.
 *
 * @example
 * const options: InferlineRunOptions = { signal: AbortSignal.timeout(500) };
 * const { y } = await session.run({ x }, options);
 */
export type InferlineRunOptions = InferenceSession.RunOptions & { signal?: AbortSignal };

/** What one run asks of the session, worked out from onnxruntime-common's `fetches`. */
interface OutputRequest {
  /** Session.run's `outputs`; undefined for all outputs in the model's order (its fast path). */
  outputs: RunOptions['outputs'];
  /** The caller's preallocated Tensors by output name, returned as themselves. */
  preallocated: Map<string, OrtTensor> | undefined;
}

const kAllOutputs: OutputRequest = { outputs: undefined, preallocated: undefined };

export class InferlineSessionHandler implements InferenceSessionHandler {
  /** The model's input names, in its order. */
  readonly inputNames: readonly string[];
  /** The model's output names, in its order. */
  readonly outputNames: readonly string[];
  /** onnxruntime-common's { name, isTensor, type, shape } per input. */
  readonly inputMetadata: readonly InferenceSession.ValueMetadata[];
  /** As inputMetadata, per output. */
  readonly outputMetadata: readonly InferenceSession.ValueMetadata[];
  /** The session this handler owns; closed by dispose(). */
  readonly #session: Session;
  /** How messages name the session: the same label the Session uses. */
  readonly #label: string;
  /** Outputs whose dtype onnxruntime-common cannot hold (bfloat16...), refused before running. */
  readonly #unrepresentable: ReadonlyMap<string, string>;

  constructor(session: Session, label: string) {
    this.#session = session;
    this.#label = label;
    this.inputNames = Object.freeze(session.inputs.map((input) => input.name));
    this.outputNames = Object.freeze(session.outputs.map((output) => output.name));
    this.inputMetadata = Object.freeze(session.inputs.map(toOrtValueMetadata));
    this.outputMetadata = Object.freeze(session.outputs.map(toOrtValueMetadata));
    this.#unrepresentable = new Map(
      session.outputs
        .filter((output) => output.dtype !== 'non-tensor' && !kOrtTensorTypes.has(output.dtype))
        .map((output) => [output.name, output.dtype]),
    );
  }

  /**
   * Runs on inferline's threads; the event loop stays free meanwhile. RunOptions: `terminate: true`
   * rejects with ERR_INFERLINE_ABORTED without running (as onnxruntime-node's terminate flag
   * does); `signal` (inferline's addition) aborts a queued or running run; `logSeverityLevel`,
   * `logVerbosityLevel`, `tag` and `extra` only tune ONNX Runtime's logging and memory, and are
   * ignored.
   */
  async run(
    feeds: SessionHandler.FeedsType,
    fetches: SessionHandler.FetchesType,
    options: InferlineRunOptions | undefined,
  ): Promise<SessionHandler.ReturnType> {
    const inputs = toInferlineFeeds(feeds, this.#label);
    const { outputs, preallocated } = this.#request(fetches);
    const signal = options?.terminate === true ? AbortSignal.abort() : options?.signal;
    let runOptions: RunOptions | undefined;
    if (outputs !== undefined || signal !== undefined) {
      runOptions = {};
      if (outputs !== undefined) runOptions.outputs = outputs;
      if (signal !== undefined) runOptions.signal = signal;
    }
    const results = await this.#session.run(inputs as Feeds, runOptions);
    const returned: Record<string, OrtTensor> = {};
    for (const name of Object.keys(results)) {
      returned[name] = preallocated?.get(name) ?? toOrtTensor(results[name]!, this.#label, name);
    }
    return returned;
  }

  #request(fetches: SessionHandler.FetchesType | undefined): OutputRequest {
    const names = fetches === undefined || fetches === null ? [] : Object.keys(fetches);
    if (fetches === undefined || fetches === null || names.length === 0) {
      for (const [name, dtype] of this.#unrepresentable) throw unrepresentable(this.#label, name, dtype);
      return kAllOutputs;
    }
    let preallocated: Map<string, OrtTensor> | undefined;
    for (const name of names) {
      const dtype = this.#unrepresentable.get(name);
      if (dtype !== undefined) throw unrepresentable(this.#label, name, dtype);
      const value = fetches[name];
      if (value !== null && value !== undefined) (preallocated ??= new Map()).set(name, value);
    }
    if (preallocated === undefined) {
      const everyOutputInOrder = names.length === this.outputNames.length && names.every((name, i) => name === this.outputNames[i]);
      return { outputs: everyOutputInOrder ? undefined : names, preallocated: undefined };
    }
    // Session.run takes { name: Tensor | null }: null lets ONNX Runtime allocate that output.
    const outputs: Record<string, Tensor | null> = {};
    for (const name of names) {
      const tensor = preallocated.get(name);
      outputs[name] = tensor === undefined ? null : toPreallocated(tensor, this.#label, name);
    }
    return { outputs: outputs as Record<string, Tensor>, preallocated };
  }

  /** Profiling starts with the session (sessionOptions.enableProfiling), as in onnxruntime-node. */
  startProfiling(): void {}

  /**
   * Ends profiling and returns the trace file's path (onnxruntime-common's InferenceSession
   * discards it; the file is `<profileFilePrefix>_<date>.json` in the working directory).
   */
  endProfiling(): string {
    return this.#session.endProfiling();
  }

  /** Closes the session once the runs in flight have finished. */
  async dispose(): Promise<void> {
    await this.#session.close();
  }
}
