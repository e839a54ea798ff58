// The server a user would write without inferline: fastify + onnxruntime-node, the KServe v2
// JSON infer route only, one InferenceSession (one intra-op thread), inference on the JS thread.
// Also, with --constant, a bare fastify route answering a constant: the floor of HTTP cost.
//
// Usage: node bench/servers/minimal-ortn.mjs --model PATH --name NAME --port P [--constant]
// Prints "listening <port>" once ready.
import Fastify from 'fastify';
import ort from 'onnxruntime-node';
import { parseArgs } from 'node:util';

const { values } = parseArgs({ options: { model: { type: 'string' }, name: { type: 'string' }, port: { type: 'string' }, constant: { type: 'boolean' } } });
const app = Fastify({ bodyLimit: 64 << 20 });

if (values.constant) {
  const answer = { model_name: values.name, outputs: [{ name: 'y', datatype: 'FP32', shape: [1, 1], data: [0] }] };
  app.post('/v2/models/:name/infer', async () => answer);
  app.get('/v2/models/:name', async () => ({ name: values.name, inputs: [{ name: 'x', datatype: 'FP32', shape: [1, 16] }], outputs: [] }));
} else {
  const session = await ort.InferenceSession.create(values.model, { intraOpNumThreads: 1, interOpNumThreads: 1 });
  const metadata = {
    name: values.name,
    platform: 'onnxruntime_onnx',
    inputs: session.inputNames.map((name, i) => {
      const meta = session.inputMetadata?.[i];
      return { name, datatype: 'FP32', shape: meta?.shape?.map((d) => (typeof d === 'number' ? d : -1)) ?? [] };
    }),
    outputs: session.outputNames.map((name) => ({ name, datatype: 'FP32', shape: [] })),
  };
  app.get('/v2/models/:name', async () => metadata);
  app.post('/v2/models/:name/infer', async (request) => {
    const feeds = {};
    for (const input of request.body.inputs) feeds[input.name] = new ort.Tensor('float32', Float32Array.from(input.data), input.shape);
    const results = await session.run(feeds);
    return {
      model_name: values.name,
      id: request.body.id,
      outputs: Object.entries(results).map(([name, tensor]) => ({ name, datatype: 'FP32', shape: tensor.dims, data: Array.from(tensor.data) })),
    };
  });
}
await app.listen({ port: Number(values.port), host: '127.0.0.1' });
console.log(`listening ${app.server.address().port}`);
