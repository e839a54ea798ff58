// How each contender is set up for closed-loop callers: `makeCall(data)` returns a function that
// runs one inference on `data` (shaped `shape`), and `close()` releases the session.
// One intra-op thread everywhere, as every table says.

/** onnxruntime-node's InferenceSession.run. */
export async function onnxruntimeNodeCaller(path, shape) {
  const { default: ort } = await import('onnxruntime-node');
  const session = await ort.InferenceSession.create(path, { intraOpNumThreads: 1 });
  const name = session.inputNames[0];
  return {
    makeCall: (data) => {
      const feeds = { [name]: new ort.Tensor('float32', data, shape) };
      return () => session.run(feeds);
    },
    close: () => session.release(),
  };
}

/** inferline's Session.run. */
export async function sessionCaller(path, shape) {
  const { Session, Tensor } = await import('../../dist/index.js');
  const session = await Session.create(path, { intraOpThreads: 1 });
  const name = session.inputs[0].name;
  return {
    makeCall: (data) => {
      const feeds = { [name]: new Tensor('float32', data, shape) };
      return () => session.run(feeds);
    },
    close: () => session.close(),
  };
}
