// What the results were measured on, printed above every table: numbers mean nothing without it.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { availableParallelism, cpus, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const kOrtNodeDir = dirname(require.resolve('onnxruntime-node/package.json'));
const kRoot = fileURLToPath(new URL('../..', import.meta.url));

/** The libonnxruntime every contender loads: $ORT_LIB_PATH, else onnxruntime-node's own. */
export function ortLibraryPath() {
  if (process.env.ORT_LIB_PATH) return process.env.ORT_LIB_PATH;
  return join(kOrtNodeDir, 'bin', 'napi-v6', process.platform, process.arch, 'libonnxruntime.so.1');
}

export function ortNodeVersion() {
  return JSON.parse(readFileSync(join(kOrtNodeDir, 'package.json'), 'utf8')).version;
}

/** The inferline tuning knobs the addon reads, as set for this run. */
export function inferlineKnobs() {
  const spin = process.env.INFERLINE_SPIN_MICROS ?? 'default (50)';
  const prewake = process.env.INFERLINE_PREWAKE_MICROS ?? 'default (100)';
  const threads = process.env.INFERLINE_THREADS ?? `default (${availableParallelism()})`;
  return `INFERLINE_THREADS=${threads}, INFERLINE_SPIN_MICROS=${spin}, INFERLINE_PREWAKE_MICROS=${prewake}`;
}

/** Which addon build was measured: the native code changes often, so name the exact binary. */
export function addonBuild() {
  const path = join(kRoot, 'build', 'Release', 'inferline.node');
  if (!existsSync(path)) return 'build/Release/inferline.node missing';
  const sha = createHash('sha256').update(readFileSync(path)).digest('hex').slice(0, 12);
  return `build/Release/inferline.node sha256 ${sha}, built ${statSync(path).mtime.toISOString()}`;
}

/** The commit measured, marked "+ changes" when native/ or src/ differ from it; "" outside git. */
function sourceRevision() {
  try {
    const git = (...args) => execFileSync('git', args, { cwd: kRoot, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    const dirty = git('status', '--porcelain', '--', 'native', 'src') !== '';
    return `commit ${git('rev-parse', '--short', 'HEAD')}${dirty ? ' + uncommitted changes in native/ or src/' : ''}; `;
  } catch {
    return '';
  }
}

/** Lines describing the machine and runtime; `extra` adds "key: value" lines. */
export function environmentLines(extra = {}) {
  const load = loadavg().map((l) => l.toFixed(2)).join(' ');
  const lines = {
    CPU: `${cpus()[0]?.model ?? 'unknown'}, ${availableParallelism()} cores`,
    Node: `${process.version} (${process.platform}-${process.arch})`,
    'ONNX Runtime': `${ortNodeVersion()} (${ortLibraryPath()})`,
    inferline: `${sourceRevision()}${inferlineKnobs()}; ${addonBuild()}`,
    'load average': `${load} (1/5/15 min, at start)`,
    ...extra,
  };
  return Object.entries(lines).map(([key, value]) => `${key}: ${value}`);
}
