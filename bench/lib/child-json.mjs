// Runs one measurement in a child process and returns the JSON object it prints last on stdout.
// Contenders that spin threads or block their loop must not share a process with each other.
import { execFile } from 'node:child_process';

/**
 * Runs `file args` (a node script when `file` ends in .mjs) with a hard timeout; resolves to the
 * parsed last non-empty stdout line. Rejects with the child's stderr tail if it fails.
 */
export function runJsonChild(file, args, { timeoutMs, env = process.env } = {}) {
  const [command, argv] = file.endsWith('.mjs') ? [process.execPath, [file, ...args]] : [file, args];
  return new Promise((resolve, reject) => {
    execFile(command, argv, { env, timeout: timeoutMs, killSignal: 'SIGKILL', maxBuffer: 64 << 20 }, (error, stdout, stderr) => {
      const what = `${command} ${argv.join(' ')}`;
      if (error) {
        const reason = error.killed ? `killed after ${timeoutMs} ms` : `exit ${error.code}`;
        reject(new Error(`${what}: ${reason}\n${String(stderr).trim().split('\n').slice(-5).join('\n')}`));
        return;
      }
      const last = String(stdout).trim().split('\n').at(-1) ?? '';
      try {
        resolve(JSON.parse(last));
      } catch {
        reject(new Error(`${what}: expected a JSON line on stdout, got "${last.slice(0, 200)}"`));
      }
    });
  });
}
