// A closed Session: every use rejects or throws ERR_INFERLINE_SESSION_CLOSED naming the session,
// and closing again is harmless.
import { describe, expect, it } from 'vitest';
import { Session, Tensor } from '../../src/index.js';
import { type ExpectedError, expectRejects, expectThrows } from '../helpers/expect-error.js';
import { generatedModel } from '../helpers/paths.js';

const kClosed: ExpectedError = { code: 'ERR_INFERLINE_SESSION_CLOSED', kind: 'InferlineError', includes: ['Session "closed-add"', 'closed'] };

describe('a closed Session', () => {
  it('run, runSync and endProfiling fail with ERR_INFERLINE_SESSION_CLOSED; close() again resolves', async () => {
    const session = await Session.create(generatedModel('add'), { name: 'closed-add' });
    const x = new Tensor('float32', new Float32Array(16), [1, 16]);
    await session.close();
    expect(session.closed).toBe(true);
    await expectRejects(() => session.run({ x }), kClosed);
    expectThrows(() => session.runSync({ x }), kClosed);
    expectThrows(() => session.endProfiling(), kClosed);
    // Closed is checked first: even bad feeds report the closed session.
    await expectRejects(() => session.run(null as never), kClosed);
    await expect(session.close()).resolves.toBeUndefined();
  });

  it('a run started before close() completes; runs after it are rejected', async () => {
    const session = await Session.create(generatedModel('add'), { name: 'closed-add' });
    const x = new Tensor('float32', new Float32Array(16), [1, 16]);
    const before = session.run({ x });
    const closing = session.close();
    const after = expectRejects(() => session.run({ x }), kClosed); // handler attached at once
    await expect(before).resolves.toHaveProperty('y');
    await after;
    await closing;
  });
});
