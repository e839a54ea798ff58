// inferline inside worker_threads: each worker loads the addon again (its own per-environment
// state) but shares the process's ONNX Runtime and thread pool. The worker imports the built
// package, dist/: run `npx tsc -p tsconfig.build.json` after changing src/ (checked below).
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { threadId as mainThreadId, Worker } from 'node:worker_threads';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runtimeInfo, Session, Tensor } from '../../src/index.js';
import { generatedModel } from '../helpers/paths.js';

const kRoot = join(import.meta.dirname, '..', '..');
const kWorkerScript = join(import.meta.dirname, 'fixtures', 'session-worker.mjs');

/** Fails with what to run when dist/ is missing or older than src/, instead of testing old code. */
function requireFreshBuild(): void {
  const srcDir = join(kRoot, 'src');
  const stale: string[] = [];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith('.ts')) {
        const built = join(kRoot, 'dist', relative(srcDir, path).replace(/\.ts$/, '.js'));
        if (!existsSync(built) || statSync(built).mtimeMs < statSync(path).mtimeMs) stale.push(relative(kRoot, path));
      }
    }
  };
  walk(srcDir);
  if (stale.length > 0) {
    throw new Error(`dist/ is stale for ${stale.join(', ')}: run \`npx tsc -p tsconfig.build.json\` first`);
  }
}

interface WorkerMessage {
  kind: string;
  threadId: number;
  viaSync?: number[];
  viaRun?: number[];
}

function startWorker(workerData: object): { worker: Worker; firstMessage: Promise<WorkerMessage>; exitCode: Promise<number> } {
  const worker = new Worker(kWorkerScript, { workerData });
  const firstMessage = new Promise<WorkerMessage>((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
  });
  const exitCode = new Promise<number>((resolve) => worker.once('exit', resolve));
  return { worker, firstMessage, exitCode };
}

const kAddInput = Float32Array.from({ length: 16 }, (_, i) => i * 0.5);
const kAddExpected = Array.from(kAddInput, (value) => value + 1);

describe('Session in a worker thread', () => {
  let mainSession: Session;
  beforeAll(async () => {
    requireFreshBuild();
    mainSession = await Session.create(generatedModel('add'), { intraOpThreads: 1 });
  });
  afterAll(() => mainSession?.close());

  async function mainStillWorks(): Promise<void> {
    const x = new Tensor('float32', kAddInput, [1, 16]);
    expect(Array.from(mainSession.runSync({ x })['y']!.data as Float32Array)).toEqual(kAddExpected);
    expect(Array.from((await mainSession.run({ x }))['y']!.data as Float32Array)).toEqual(kAddExpected);
  }

  it('runSync and run give the right result, the worker reports its own threadId and exits with 0', async () => {
    const { firstMessage, exitCode } = startWorker({ mode: 'add', modelPath: generatedModel('add') });
    // The main thread keeps running models while the worker does.
    await mainStillWorks();
    const message = await firstMessage;
    expect(message.kind).toBe('result');
    expect(message.threadId).toBeGreaterThan(0);
    expect(message.threadId).not.toBe(mainThreadId);
    expect(message.viaSync).toEqual(kAddExpected);
    expect(message.viaRun).toEqual(kAddExpected);
    // Ends by itself: no handle of ours keeps the worker's loop alive once its session is closed.
    expect(await exitCode).toBe(0);
    await mainStillWorks();
  });

  it('several workers at once, each with its own session, all get right results', async () => {
    const workers = Array.from({ length: 4 }, () => startWorker({ mode: 'add', modelPath: generatedModel('add') }));
    const messages = await Promise.all(workers.map((w) => w.firstMessage));
    expect(new Set(messages.map((m) => m.threadId)).size).toBe(4);
    for (const message of messages) expect(message.viaRun).toEqual(kAddExpected);
    expect(await Promise.all(workers.map((w) => w.exitCode))).toEqual([0, 0, 0, 0]);
  });

  it('terminating a worker with runs in flight leaves the main process working', async () => {
    const runs = runtimeInfo().threads + 4; // some running, some queued in the shared pool
    const { worker, firstMessage, exitCode } = startWorker({ mode: 'busy', modelPath: generatedModel('slow'), runs });
    expect((await firstMessage).kind).toBe('submitted');
    await worker.terminate();
    expect(await exitCode).toBe(1); // Node's exit code for a terminated worker
    await mainStillWorks();
    // The pool is not left wedged: a burst of runs on the main thread all complete.
    const x = new Tensor('float32', kAddInput, [1, 16]);
    const results = await Promise.all(Array.from({ length: 32 }, () => mainSession.run({ x })));
    for (const result of results) expect(Array.from(result['y']!.data as Float32Array)).toEqual(kAddExpected);
  });
});
