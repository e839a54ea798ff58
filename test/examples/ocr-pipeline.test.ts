// The OCR example end to end through inferline's serving layers (examples/ocr/pipeline.mjs):
// PNG bytes in; decoding, resizing and CTC decoding in the worker pool; PP-OCR cls and PP-OCRv4
// rec as batched Models. Lines are rendered by the test (examples/ocr/render-text.mjs); the
// same lines are read exactly by the processing test (ocr-processing.test.ts) on a bare Session.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOcrPipeline } from '../../examples/ocr/pipeline.mjs';
import { renderTextLinePng } from '../../examples/ocr/render-text.mjs';
// The pipeline is built on the compiled package (as a user's code would be): its WorkerPool class.
import { WorkerPool } from '../../dist/index.js';

interface OcrPipeline {
  read(png: Uint8Array): Promise<{ text: string; confidence: number; angle: 0 | 180 }>;
  close(): Promise<void>;
  rec: { stats(): { requests: { success: number; failure: number }; executions: number } };
}

const kLines: Array<[string, boolean]> = [
  ['Hello World 2026', false],
  ['inferline', false],
  ['ONNX Runtime 1.30', true],
  ['三十一日', false],
  ['Node.js worker threads', true],
];

let ocr: OcrPipeline;
let workers: WorkerPool;
beforeAll(async () => {
  workers = new WorkerPool({ name: 'ocr-test' });
  ocr = (await createOcrPipeline({ workers })) as OcrPipeline;
});
afterAll(async () => {
  await ocr.close();
  await workers.close();
});

describe('OCR pipeline (workers + batched Models)', () => {
  it('reads rendered lines, upright and upside down, read concurrently', async () => {
    const results = await Promise.all(kLines.map(([text, rotate180]) => ocr.read(renderTextLinePng(text, { rotate180 }))));
    for (let i = 0; i < kLines.length; i++) {
      const [text, rotate180] = kLines[i]!;
      expect(results[i]!.text, `line ${i}`).toBe(text);
      expect(results[i]!.confidence, `line ${i}`).toBeGreaterThan(0.9);
      // The stroke-drawn CJK line reads the same either way up; only Latin lines show the turn.
      if (/[A-Za-z]/.test(text)) expect(results[i]!.angle, `line ${i}`).toBe(rotate180 ? 180 : 0);
    }
  });

  it('gives the same answer every time, batched with others or alone', async () => {
    const png = renderTextLinePng('ONNX Runtime 1.30');
    const alone = await ocr.read(png);
    const together = await Promise.all(Array.from({ length: 8 }, () => ocr.read(png)));
    for (const result of together) expect(result).toEqual(alone);
    expect(ocr.rec.stats().requests.failure).toBe(0);
  });

  it('does all decoding and CTC decoding in the worker pool: two handler tasks per model per line', async () => {
    const before = workers.stats().tasks;
    await ocr.read(renderTextLinePng('inferline'));
    // cls preprocess + cls postprocess + rec preprocess + rec postprocess (a batch of one each).
    expect(workers.stats().tasks - before).toBe(4);
    expect(workers.stats().failed).toBe(0);
  });
});
