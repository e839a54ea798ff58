/**
 * Where the worker entry is, for Piscina (which needs a file name), in the built package and when
 * running from the TypeScript sources.
 */
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { errors } from '../errors.js';

export interface WorkerEntry {
  /** Absolute path of the worker entry. */
  filename: string;
  /** Node options for the workers; undefined: the process's own, as Worker does by default. */
  execArgv: string[] | undefined;
}

/**
 * From dist/ this module is pool/worker-pool's sibling .js and so is the entry: nothing else is
 * needed. From src/ (vitest, or `node --import tsx`) the entry is TypeScript, and Node 20 does not
 * give worker threads the main thread's module hooks (tsx's --import registers them on the main
 * thread only). tsx's require hook does work in any thread, and Piscina loads the entry with
 * require() first, so the workers get `--require tsx/cjs` (tsx is a devDependency: only sources
 * need it).
 */
export function resolveWorkerEntry(): WorkerEntry {
  const here = import.meta.url;
  if (!here.endsWith('.ts')) return { filename: fileURLToPath(new URL('./worker-entry.js', here)), execArgv: undefined };
  let tsxRequireHook: string;
  try {
    tsxRequireHook = createRequire(here).resolve('tsx/cjs');
  } catch (cause) {
    throw errors.internal(`WorkerPool: running from TypeScript sources (${fileURLToPath(here)}) needs the tsx package for its worker threads: ${(cause as Error).message}`);
  }
  return {
    filename: fileURLToPath(new URL('./worker-entry.ts', here)),
    execArgv: [...process.execArgv, '--require', tsxRequireHook],
  };
}
