// Builds bench/out/ort_limit, the C++ baseline the benchmarks compare against.
// Steps:
//   1. Find ONNX Runtime's C headers with scripts/find-ort-headers.mjs (prints the include dir).
//   2. Skip if bench/out/ort_limit is newer than ort_limit.cc (unless --force).
//   3. g++ -std=c++17 -O2 against those headers, linking only libdl and pthreads: the program
//      dlopens libonnxruntime at run time, so nothing of ONNX Runtime is linked in.
// Usage: node bench/native/build.mjs [--force]; prints the binary's path on stdout.
// Also importable: `await buildOrtLimit()` returns the path.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const kRoot = fileURLToPath(new URL('../..', import.meta.url));
const kSource = join(kRoot, 'bench', 'native', 'ort_limit.cc');
const kOutDir = join(kRoot, 'bench', 'out');
export const kOrtLimitPath = join(kOutDir, 'ort_limit');

function findHeaders() {
  const script = join(kRoot, 'scripts', 'find-ort-headers.mjs');
  const dir = execFileSync(process.execPath, [script], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
  if (!existsSync(join(dir, 'onnxruntime_c_api.h'))) throw new Error(`find-ort-headers.mjs printed "${dir}", which has no onnxruntime_c_api.h`);
  return dir;
}

/** Compiles ort_limit if it is missing or older than its source; returns the binary's path. */
export function buildOrtLimit({ force = false } = {}) {
  if (!force && existsSync(kOrtLimitPath) && statSync(kOrtLimitPath).mtimeMs >= statSync(kSource).mtimeMs) {
    return kOrtLimitPath;
  }
  const include = findHeaders();
  mkdirSync(kOutDir, { recursive: true });
  const args = ['-std=c++17', '-O2', '-Wall', '-Wextra', '-I', include, kSource, '-o', kOrtLimitPath, '-ldl', '-pthread'];
  process.stderr.write(`build: g++ ${args.join(' ')}\n`);
  execFileSync('g++', args, { stdio: ['ignore', 'inherit', 'inherit'] });
  return kOrtLimitPath;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  try {
    console.log(buildOrtLimit({ force: process.argv.includes('--force') }));
  } catch (error) {
    console.error(`bench/native/build.mjs: ${error.message}`);
    process.exit(1);
  }
}
