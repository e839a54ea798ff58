// A load target for bench/http.mjs: KServe v2 gRPC ModelInfer with raw_input_contents (what
// Triton's own clients send), over one @grpc/grpc-js channel built from the server's .proto.
import { credentials, loadPackageDefinition } from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import { kProtoPath } from '../../dist/server/grpc/service-definition.js';

/** `spec`: { inputName: shape } of float32 inputs, filled with random values. */
export function grpcTarget(address, model, spec) {
  const definition = loadSync(kProtoPath, { keepCase: true, defaults: true, oneofs: true, longs: String });
  const { inference } = loadPackageDefinition(definition);
  const client = new inference.GRPCInferenceService(address, credentials.createInsecure(), {
    'grpc.max_receive_message_length': 64 << 20, 'grpc.max_send_message_length': 64 << 20,
  });
  const inputs = Object.entries(spec).map(([name, shape]) => ({ name, datatype: 'FP32', shape }));
  const raw = Object.values(spec).map((shape) => {
    const data = Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => Math.random());
    return Buffer.from(data.buffer);
  });
  const request = { model_name: model, inputs, raw_input_contents: raw };
  return {
    label: `KServe v2 gRPC raw ${address} ${model}`,
    send: () => new Promise((resolve, reject) => client.ModelInfer(request, (error) => (error ? reject(error) : resolve()))),
    close: async () => client.close(),
  };
}
