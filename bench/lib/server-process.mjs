// Starts a server in a child process and waits for the line that gives its port.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';

const kTicksPerSecond = 100; // Linux USER_HZ: /proc/<pid>/stat counts CPU time in these

/** CPU seconds a process has used so far, all its threads (Linux /proc); undefined elsewhere. */
export function processCpuSeconds(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which is in parentheses and may hold spaces): utime is 14th, stime 15th.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / kTicksPerSecond;
  } catch {
    return undefined;
  }
}

/**
 * Spawns `node script ...args`; resolves with { ports, stop() } once stdout printed a line
 * matching `ready` (its numeric groups are the ports). Rejects if the child exits first or after
 * `timeoutMs`.
 */
export function startServer(script, args, { ready, timeoutMs = 120_000, env = process.env } = {}) {
  const child = spawn(process.execPath, [script, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk) => {
    stderr = (stderr + chunk).slice(-4000);
  });
  return new Promise((resolve, reject) => {
    let stdout = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${script}: not ready after ${timeoutMs} ms\n${stderr}`));
    }, timeoutMs);
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${script} exited with ${code} before it was ready\n${stderr}`));
    });
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
      const match = stdout.match(ready);
      if (match === null) return;
      clearTimeout(timer);
      child.removeAllListeners('exit');
      child.stdout.resume();
      resolve({
        ports: match.slice(1).map(Number),
        pid: child.pid,
        stop: () => new Promise((done) => {
          child.once('exit', done);
          child.kill('SIGTERM');
          setTimeout(() => child.kill('SIGKILL'), 10_000).unref();
        }),
      });
    });
  });
}
