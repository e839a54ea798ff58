/** The onnxruntime-common Backend that opens inferline Sessions. */
import { basename } from 'node:path';
import { env, type Backend, type InferenceSession } from 'onnxruntime-common';
import { errors } from '../errors.js';
import { loadRuntime, runtimeInfo } from '../session/runtime-info.js';
import { Session } from '../session/session.js';
import { InferlineSessionHandler } from './session-handler.js';
import { toSessionOptions } from './session-options.js';

/** The label inferline's messages use for this model, as Session.create would choose it. */
function labelOf(pathOrBuffer: string | Uint8Array, name: string | undefined): string {
  if (name !== undefined) return name;
  return typeof pathOrBuffer === 'string' ? basename(pathOrBuffer) : `model bytes (${pathOrBuffer.byteLength} B)`;
}

export class InferlineBackend implements Backend {
  /**
   * Called once per provider name, the first time a session asks for it. 'cpu' always works;
   * 'cuda' and 'tensorrt' are refused where ONNX Runtime's provider library is missing, so that
   * onnxruntime-common drops them with a warning and falls back to the next provider the caller
   * listed (`executionProviders: ['cuda', 'cpu']`), as it does for onnxruntime-web.
   */
  async init(backendName: string): Promise<void> {
    if (backendName === 'cpu') return;
    const { providers, ortLibraryPath } = runtimeInfo();
    if (!providers.includes(backendName)) {
      throw errors.providerUnavailable(
        `Execution provider "${backendName}" is not available: ONNX Runtime at ${ortLibraryPath} has no ${backendName} provider ` +
          `library next to it (available: ${providers.join(', ')})`,
      );
    }
  }

  /**
   * Opens an inferline Session with onnxruntime-common's options mapped to inferline's.
   *
   * @throws (rejects) the codes of Session.create and of toSessionOptions.
   */
  async createInferenceSessionHandler(
    pathOrBuffer: string | Uint8Array,
    options?: InferenceSession.SessionOptions,
  ): Promise<InferlineSessionHandler> {
    const sessionOptions = toSessionOptions(options);
    // ONNX Runtime's process-wide log level, taken from ort.env.logLevel when the first session
    // loads it, as onnxruntime-node does; once loaded, this is a no-op.
    loadRuntime({ logLevel: env.logLevel ?? 'warning' });
    // Naming the session here gives the handler's messages the same label as the Session's.
    const label = labelOf(pathOrBuffer, sessionOptions.name);
    const session = await Session.create(pathOrBuffer, { ...sessionOptions, name: label });
    return new InferlineSessionHandler(session, label);
  }
}
