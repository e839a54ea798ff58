// Where tests find models: the generated ones (test/global-setup.ts) and the real ones from npm.
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const kRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const kGeneratedDir = join(kRoot, 'test', '.generated');
export const generatedModel = (name: string): string => join(kGeneratedDir, `${name}.onnx`);

// These packages' exports hide their files from require.resolve; npm installs them here.
const ocrAssets = join(kRoot, 'node_modules', '@gutenye', 'ocr-models', 'assets');
const vadDist = join(kRoot, 'node_modules', '@ricky0123', 'vad-web', 'dist');

export const kRealModels = {
  ocrCls: join(ocrAssets, 'ch_ppocr_mobile_v2.0_cls_infer.onnx'),
  ocrRec: join(ocrAssets, 'ch_PP-OCRv4_rec_infer.onnx'),
  ocrDet: join(ocrAssets, 'ch_PP-OCRv4_det_infer.onnx'),
  sileroVad: join(vadDist, 'silero_vad_v5.onnx'),
  sileroVadLegacy: join(vadDist, 'silero_vad_legacy.onnx'),
} as const;
