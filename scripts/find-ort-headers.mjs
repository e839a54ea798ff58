// Finds ONNX Runtime's C headers (the directory holding onnxruntime_c_api.h) for the addon build.
// Steps, first success wins:
//   1. $ORT_INCLUDE_DIR, if set (an error if it lacks the header: the user asked for it).
//   2. A system install: `pkg-config --cflags-only-I libonnxruntime` (each -I dir and its onnxruntime/).
//   3. A copy cached earlier in deps/onnxruntime/include.
//   4. The official release archive onnxruntime-linux-<arch>-<ver>.tgz from GitHub (15 s budget);
//      only include/ is extracted, into deps/onnxruntime/include.
//   5. Debian 13 "trixie" libonnxruntime-dev, fetched by a private apt-get (own sources file, lists
//      and archives under deps/apt; nothing installed system-wide), unpacked with `dpkg -x`, and
//      its header directory copied into deps/onnxruntime/include.
// Steps 4 and 5 write deps/onnxruntime/SOURCE, one line naming the origin and ORT_API_VERSION.
// CLI: prints the include directory (absolute) alone on stdout, for binding.gyp's
// `<!(node scripts/find-ort-headers.mjs)`, and one line on stderr; exit code 1 if nothing worked.
import { execFile } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, realpathSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const kHeader = 'onnxruntime_c_api.h';
const kRoot = fileURLToPath(new URL('..', import.meta.url));
const kDeps = join(kRoot, 'deps');
const kCacheDir = join(kDeps, 'onnxruntime', 'include');
const kSourceFile = join(kDeps, 'onnxruntime', 'SOURCE');
const kAptDir = join(kDeps, 'apt');
const kReleaseTimeoutMs = 15_000;
const kAptTimeoutMs = 300_000;
const kDebianSuite = 'trixie';
const kDebianSources = '/etc/apt/sources.list.d/debian.sources';
// Used only when onnxruntime-node's version cannot be read from package.json.
const kDefaultOrtVersion = '1.30.0';

/** The `NN` of `#define ORT_API_VERSION NN` in <dir>/onnxruntime_c_api.h; throws if absent. */
function readApiVersion(dir) {
  const path = join(dir, kHeader);
  if (!existsSync(path)) throw new Error(`${path} does not exist`);
  const match = /^\s*#\s*define\s+ORT_API_VERSION\s+(\d+)/m.exec(readFileSync(path, 'utf8'));
  if (!match) throw new Error(`${path} has no "#define ORT_API_VERSION"`);
  return Number(match[1]);
}

/** The first directory under `dir` (itself included) that holds the header, or undefined. */
function findHeaderDir(dir) {
  if (existsSync(join(dir, kHeader))) return dir;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (!entry.isDirectory()) continue;
    const found = findHeaderDir(join(dir, entry.name));
    if (found) return found;
  }
  return undefined;
}

/** The last lines of a failed child process's output, so the error says what the tool said. */
function childFailure(error) {
  const text = `${error.stderr ?? ''}\n${error.stdout ?? ''}`.trim();
  const tail = text.split('\n').filter(Boolean).slice(-3).join(' | ');
  if (error.killed) return `timed out (${error.cmd})`;
  return tail || error.message;
}

/** Copies `headerDir` into the cache atomically (a half copy must never look like a cache hit). */
function storeInCache(headerDir, origin) {
  const apiVersion = readApiVersion(headerDir);
  const staging = `${kCacheDir}.partial`;
  rmSync(staging, { recursive: true, force: true });
  cpSync(headerDir, staging, { recursive: true });
  rmSync(kCacheDir, { recursive: true, force: true });
  renameSync(staging, kCacheDir);
  writeFileSync(kSourceFile, `${origin}, ORT_API_VERSION ${apiVersion}\n`);
  return { includeDir: kCacheDir, source: `${origin}, cached in ${relative(kRoot, kCacheDir)}`, apiVersion };
}

function fromEnv() {
  const dir = process.env.ORT_INCLUDE_DIR;
  if (!dir) throw new Error('not set');
  if (!existsSync(join(dir, kHeader))) {
    // Not a fall-through: the user chose this directory, so building from another would mislead.
    const problem = existsSync(dir) ? `does not contain ${kHeader}` : 'does not exist';
    const error = new Error(`inferline: ORT_INCLUDE_DIR=${dir} ${problem}; ` +
      `point ORT_INCLUDE_DIR at the directory that holds ${kHeader}, or unset it`);
    error.fatal = true;
    throw error;
  }
  return { includeDir: realpathSync(dir), source: `ORT_INCLUDE_DIR (${dir})`, apiVersion: readApiVersion(dir) };
}

async function fromPkgConfig() {
  let stdout;
  try {
    // pkg-config drops -I/usr/include and the like unless told to keep them.
    ({ stdout } = await run('pkg-config', ['--cflags-only-I', 'libonnxruntime'],
      { env: { ...process.env, PKG_CONFIG_ALLOW_SYSTEM_CFLAGS: '1' }, timeout: 10_000 }));
  } catch (error) {
    if (error.code === 'ENOENT') throw new Error('pkg-config is not installed');
    if (/not found/.test(error.stderr)) throw new Error('no libonnxruntime.pc on the pkg-config search path');
    throw new Error(childFailure(error));
  }
  const dirs = stdout.split(/\s+/).filter((flag) => flag.startsWith('-I')).map((flag) => flag.slice(2));
  for (const dir of dirs.flatMap((d) => [d, join(d, 'onnxruntime')])) {
    if (existsSync(join(dir, kHeader))) {
      return { includeDir: dir, source: 'system install (pkg-config libonnxruntime)', apiVersion: readApiVersion(dir) };
    }
  }
  throw new Error(`libonnxruntime found, but no ${kHeader} in ${dirs.join(', ') || 'its -I flags'}`);
}

function fromCache() {
  if (!existsSync(join(kCacheDir, kHeader))) throw new Error(`no ${relative(kRoot, kCacheDir)}/${kHeader}`);
  const origin = existsSync(kSourceFile)
    ? readFileSync(kSourceFile, 'utf8').trim().replace(/, ORT_API_VERSION \d+$/, '') : 'an unrecorded origin';
  return { includeDir: kCacheDir, source: `${origin}, cached in ${relative(kRoot, kCacheDir)}`, apiVersion: readApiVersion(kCacheDir) };
}

function ortVersion() {
  try {
    const { dependencies = {} } = JSON.parse(readFileSync(join(kRoot, 'package.json'), 'utf8'));
    const version = /\d+\.\d+\.\d+/.exec(dependencies['onnxruntime-node'] ?? '');
    if (version) return version[0];
  } catch {
    // No readable package.json: the default version is as good a guess as any.
  }
  return kDefaultOrtVersion;
}

async function fromGitHubRelease() {
  const arch = { x64: 'x64', arm64: 'aarch64' }[process.arch];
  if (process.platform !== 'linux' || !arch) throw new Error(`no release archive for ${process.platform}-${process.arch}`);
  const version = ortVersion();
  const name = `onnxruntime-linux-${arch}-${version}`;
  const url = `https://github.com/microsoft/onnxruntime/releases/download/v${version}/${name}.tgz`;
  const work = join(kDeps, 'release');
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
  try {
    // One signal for connect and body: the whole download gets kReleaseTimeoutMs.
    const response = await fetch(url, { signal: AbortSignal.timeout(kReleaseTimeoutMs) });
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    const archive = join(work, `${name}.tgz`);
    await writeFile(archive, Buffer.from(await response.arrayBuffer()));
    await run('tar', ['-xzf', archive, '-C', work, '--wildcards', '*/include/*'], { timeout: 60_000 });
    const headerDir = findHeaderDir(work);
    if (!headerDir) throw new Error(`${name}.tgz has no include/${kHeader}`);
    return storeInCache(headerDir, `ONNX Runtime release ${name}.tgz`);
  } catch (error) {
    const reason = error.name === 'TimeoutError' ? `no answer within ${kReleaseTimeoutMs / 1000} s`
      : error.cause?.code ?? (error.stderr ? childFailure(error) : error.message);
    throw new Error(`${url}: ${reason}`);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/** The URI and Signed-By of the system's plain-release Debian entry (not -security, -updates). */
function debianArchive() {
  if (!existsSync(kDebianSources)) throw new Error(`${kDebianSources} does not exist`);
  for (const paragraph of readFileSync(kDebianSources, 'utf8').split(/\n\s*\n/)) {
    const fields = {};
    let last;
    for (const line of paragraph.split('\n')) {
      if (line.startsWith('#')) continue;
      if (/^\s/.test(line) && last) fields[last] += `\n${line}`; // deb822 continuation (inline key)
      else if (line.includes(':')) {
        last = line.slice(0, line.indexOf(':')).trim().toLowerCase();
        fields[last] = line.slice(line.indexOf(':') + 1).trim();
      }
    }
    const suites = (fields.suites ?? '').split(/\s+/);
    if (/\bdeb\b/.test(fields.types ?? '') && fields.uris && suites.some((s) => s && !s.includes('-'))) {
      return { uri: fields.uris.split(/\s+/)[0], signedBy: fields['signed-by'] };
    }
  }
  throw new Error(`${kDebianSources} has no "Types: deb" entry for a plain release suite`);
}

async function fromDebian() {
  const { uri, signedBy } = debianArchive();
  const dirs = {
    lists: join(kAptDir, 'lists'), cache: join(kAptDir, 'cache'), archives: join(kAptDir, 'archives'),
    download: join(kAptDir, 'download'), extract: join(kAptDir, 'extract'),
  };
  rmSync(dirs.download, { recursive: true, force: true });
  rmSync(dirs.extract, { recursive: true, force: true });
  for (const dir of [join(dirs.lists, 'partial'), join(dirs.archives, 'partial'), dirs.cache, dirs.download, dirs.extract]) {
    mkdirSync(dir, { recursive: true });
  }
  const sourcesFile = join(kAptDir, `${kDebianSuite}.sources`);
  writeFileSync(sourcesFile, [`Types: deb`, `URIs: ${uri}`, `Suites: ${kDebianSuite}`, `Components: main`,
    ...(signedBy ? [`Signed-By: ${signedBy}`] : [])].join('\n') + '\n');
  // The system's hooks (PackageKit, AppStream refresh) would touch system state after `update`;
  // `#clear` exists only in config files, hence this file next to the -o options.
  const confFile = join(kAptDir, 'apt.conf');
  writeFileSync(confFile, ['Pre-Invoke', 'Post-Invoke', 'Post-Invoke-Success']
    .map((hook) => `#clear APT::Update::${hook};\n`).join(''));
  const options = [
    '-c', confFile,
    '-o', `Dir::Etc::SourceList=${sourcesFile}`, '-o', 'Dir::Etc::SourceParts=/dev/null',
    '-o', `Dir::State::Lists=${dirs.lists}`, '-o', `Dir::Cache=${dirs.cache}`,
    '-o', `Dir::Cache::Archives=${dirs.archives}`,
    '-o', 'Acquire::IndexTargets::deb::Contents-deb::DefaultEnabled=false',
    // Our lists and archives dirs are private: no other apt can race us. Lets non-root run it.
    '-o', 'Debug::NoLocking=1',
  ];
  const step = async (what, args, cwd = kRoot) => {
    try {
      return await run('apt-get', [...options, ...args], { cwd, timeout: kAptTimeoutMs, maxBuffer: 16 << 20 });
    } catch (error) {
      throw new Error(`apt-get ${what} (${uri} ${kDebianSuite}): ${error.code === 'ENOENT' ? 'apt-get is not installed' : childFailure(error)}`);
    }
  };
  await step('update', ['-q', 'update']);
  await step('download', ['-q', 'download', 'libonnxruntime-dev'], dirs.download); // writes to cwd
  const deb = readdirSync(dirs.download).find((name) => name.endsWith('.deb'));
  if (!deb) throw new Error(`apt-get download left no .deb in ${dirs.download}`);
  const debPath = join(dirs.download, deb);
  try {
    await run('dpkg', ['-x', debPath, dirs.extract], { timeout: 60_000 });
  } catch (error) {
    throw new Error(`dpkg -x ${deb}: ${childFailure(error)}`);
  }
  const headerDir = findHeaderDir(dirs.extract);
  if (!headerDir) throw new Error(`${deb} contains no ${kHeader}`);
  const { stdout: version } = await run('dpkg-deb', ['-f', debPath, 'Version']);
  return storeInCache(headerDir, `Debian ${kDebianSuite} libonnxruntime-dev ${version.trim()} (${uri})`);
}

/**
 * Locates ONNX Runtime's C headers, downloading them into deps/ when no local copy exists.
 * @param {{ log?: (line: string) => void }} [options] `log` receives one summary line on success.
 * @returns {Promise<{ includeDir: string, source: string, apiVersion: number }>}
 * @throws {Error} code ERR_INFERLINE_ORT_HEADERS_NOT_FOUND, listing every step and why it failed.
 */
export async function findOrtHeaders({ log = () => {} } = {}) {
  const steps = [
    ['ORT_INCLUDE_DIR', fromEnv],
    ['pkg-config libonnxruntime', fromPkgConfig],
    ['cache', fromCache],
    ['GitHub release', fromGitHubRelease],
    [`Debian ${kDebianSuite} libonnxruntime-dev`, fromDebian],
  ];
  const failures = [];
  for (const [name, step] of steps) {
    try {
      const found = await step();
      log(`inferline: ONNX Runtime C headers (API ${found.apiVersion}) from ${found.source}`);
      return found;
    } catch (error) {
      if (error.fatal) throw Object.assign(new Error(error.message), { code: 'ERR_INFERLINE_ORT_HEADERS_NOT_FOUND' });
      failures.push(`  ${failures.length + 1}. ${name}: ${error.message}`);
    }
  }
  const error = new Error([`inferline: could not find ONNX Runtime's C headers (${kHeader}). Tried:`, ...failures,
    `Set ORT_INCLUDE_DIR to a directory containing ${kHeader} (e.g. the include/ of an ONNX Runtime release).`].join('\n'));
  error.code = 'ERR_INFERLINE_ORT_HEADERS_NOT_FOUND';
  throw error;
}

if (process.argv[1] && pathToFileURL(realpathSync(process.argv[1])).href === import.meta.url) {
  findOrtHeaders({ log: (line) => process.stderr.write(`${line}\n`) }).then(
    ({ includeDir }) => process.stdout.write(`${includeDir}\n`),
    (error) => {
      process.stderr.write(`${error.message}\n`);
      process.exitCode = 1;
    },
  );
}
