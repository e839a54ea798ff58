// One caller awaiting each run: the JS thread is woken shortly before the expected completion
// and spins for it (native/runtime/completion_spin.h). Whatever the lead, every result must
// arrive and be right, and the spin must give way to the loop. With a lead longer than the run,
// the JS thread spins from the submit on; a 1 ms interval then fires at most once per run (in
// the loop turn right after the submit) unless the spin stops for timers that fall due: with runs
// of several ms (batch 8), seeing two ticks within one run shows that it does. Each setting runs
// in a child process: the lead is read from the process environment when the addon loads.
import { execFile } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { kRealModels } from '../helpers/paths.js';

const run = promisify(execFile);
const kChild = join(dirname(fileURLToPath(import.meta.url)), 'fixtures', 'lone-caller.mjs');

interface Outcome {
  runs: number;
  mismatches: number;
  maxTicksInOneRun: number;
}

async function loneCaller(prewakeMicros: string | undefined, runs: number, batch: number): Promise<Outcome> {
  const env = { ...process.env };
  if (prewakeMicros === undefined) delete env.INFERLINE_PREWAKE_MICROS;
  else env.INFERLINE_PREWAKE_MICROS = prewakeMicros;
  const { stdout } = await run(process.execPath, [kChild, kRealModels.ocrCls, String(runs), String(batch)], {
    env,
    timeout: 60_000,
  });
  return JSON.parse(stdout.trim().split('\n').pop()!) as Outcome;
}

describe('one caller of PP-OCR cls awaiting each run', () => {
  it.each([
    ['the default lead', undefined],
    ['the pre-wake off', '0'],
    ['a lead longer than the run (spinning from the submit on)', '100000'],
  ])('gets every result right with %s', async (_, prewakeMicros) => {
    const outcome = await loneCaller(prewakeMicros, 300, 1);
    expect(outcome).toMatchObject({ runs: 300, mismatches: 0 });
  });

  it('lets timers fire during a run while the JS thread spins for its result', async () => {
    const outcome = await loneCaller('100000', 30, 8);
    expect(outcome.mismatches).toBe(0);
    expect(outcome.maxTicksInOneRun).toBeGreaterThanOrEqual(2);
  });
});
