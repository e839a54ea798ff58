// Graceful close: close() stops accepting connections at once, yet a request already in flight
// is answered (200, with its outputs) before close() resolves.
//
// The request is held in flight by a gate: the served "model" is a thin stand-in that records the
// call, waits for the test to open the gate, then runs the real Model. So the test knows the
// request is inside the server, and that it is still there while the port is checked.
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Model } from '../../../src/model/model.js';
import type { ServedModels } from '../../../src/repository/served-models.js';
import type { Results } from '../../../src/session/session.js';
import { StaticModels } from '../../../src/repository/static-models.js';
import { startHttpServer } from '../../../src/server/http/http-server.js';
import { type InputSpec, inferBinary, loadModels } from './kserve-client.js';

let models: Model[];

beforeAll(async () => {
  models = await loadModels(['add']);
});

afterAll(async () => {
  await Promise.all((models ?? []).map((model) => model.unload()));
});

/** A promise and its resolve function. */
function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((done) => {
    resolve = done;
  });
  return { promise, resolve };
}

/** Whether a TCP connection to the port is refused. */
function refused(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code === 'ECONNREFUSED'));
  });
}

describe('close()', () => {
  it('refuses new connections but answers the request in flight', async () => {
    const real = models[0]!;
    const arrived = deferred();
    const gate = deferred();
    const gated = {
      name: real.name,
      version: real.version,
      inputs: real.inputs,
      outputs: real.outputs,
      async infer(feeds: unknown, options?: unknown): Promise<Results> {
        arrived.resolve();
        await gate.promise;
        return real.infer(feeds, options as never);
      },
    } as unknown as Model;
    const base = new StaticModels([real]);
    const served: ServedModels = {
      get: (name, version) => (base.get(name, version), gated),
      index: () => base.index(),
      ready: () => true,
      load: async () => {},
      unload: async () => {},
      close: async () => {},
    };
    const server = await startHttpServer({ models: served, port: 0, host: '127.0.0.1' });
    const input: InputSpec = { name: 'x', datatype: 'FP32', shape: [1, 16], data: new Float32Array(16).fill(41) };

    const inFlight = inferBinary(`${server.url}/v2/models/add/infer`, [input], { parameters: { binary_data_output: true } });
    await arrived.promise;
    let closed = false;
    const closing = server.close().then(() => {
      closed = true;
    });

    // The listening socket goes within a few turns of the loop; bounded wait for it.
    const deadline = Date.now() + 10_000;
    while (!(await refused(server.port))) {
      expect(Date.now(), 'the port still accepts connections after close()').toBeLessThan(deadline);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    expect(closed, 'close() waits for the request in flight').toBe(false);

    gate.resolve();
    const response = await inFlight;
    expect(response.status).toBe(200);
    expect(response.outputs[0]!.bytes.equals(Buffer.from(new Float32Array(16).fill(42).buffer))).toBe(true);
    await closing;
    expect(closed).toBe(true);
  });
});
