// Builds the native addon when no prebuild matches this platform (npm runs this as `install`).
//   1. A prebuild in prebuilds/<platform>-<arch>/ that node-gyp-build would load → nothing to do
//      (unless --force).
//   2. Find ONNX Runtime's C headers (scripts/find-ort-headers.mjs prints where they came from).
//   3. node-gyp rebuild: npm's bundled node-gyp when run by npm, else the one next to npm.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { findOrtHeaders } from './find-ort-headers.mjs';

const kRoot = dirname(dirname(fileURLToPath(import.meta.url)));
const force = process.argv.includes('--force');

function hasPrebuild() {
  const dir = join(kRoot, 'prebuilds', `${process.platform}-${process.arch}`);
  return existsSync(dir) && readdirSync(dir).some((name) => name.endsWith('.node'));
}

function nodeGypCommand() {
  // npm puts its bundled node-gyp on PATH for lifecycle scripts; outside npm, find it beside npm.
  if (process.env.npm_config_node_gyp && existsSync(process.env.npm_config_node_gyp)) {
    return [process.execPath, process.env.npm_config_node_gyp];
  }
  const npmCli = spawnSync('npm', ['root', '-g'], { encoding: 'utf8' });
  const bundled = join(npmCli.stdout.trim(), 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js');
  if (existsSync(bundled)) return [process.execPath, bundled];
  return ['node-gyp'];
}

if (!force && hasPrebuild()) {
  console.error(`inferline: using the prebuilt addon for ${process.platform}-${process.arch}`);
  process.exit(0);
}

try {
  const headers = await findOrtHeaders({ log: (line) => console.error(line) });
  process.env.ORT_INCLUDE_DIR = headers.includeDir; // binding.gyp asks again: answer from here
} catch (error) {
  console.error(error.message);
  process.exit(1);
}

const [command, ...prefix] = nodeGypCommand();
const args = [...prefix, 'rebuild', '-j', 'max', '--loglevel', 'warn'];
// Node's headers ship with Debian's nodejs; use them rather than downloading (no network here).
if (!process.env.npm_config_nodedir && existsSync('/usr/include/node/node_api.h')) args.push('--nodedir=/usr');
const result = spawnSync(command, args, { cwd: kRoot, stdio: 'inherit' });
if (result.status !== 0) {
  console.error('inferline: building the native addon failed (see the compiler output above)');
  process.exit(result.status ?? 1);
}
