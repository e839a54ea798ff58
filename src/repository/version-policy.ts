/**
 * Which versions of a model serve (Triton's version_policy): the newest N, a fixed list, or all.
 */
import { errors } from '../errors.js';
import { describe, isInteger, isPlainObject } from '../validate.js';

/** config.json's `versionPolicy`. */
export type VersionPolicy =
  | { latest: { numVersions: number } }
  | { specific: { versions: number[] } }
  | { all: Record<string, never> };

export type ResolvedVersionPolicy =
  | { kind: 'latest'; numVersions: number }
  | { kind: 'specific'; versions: string[] }
  | { kind: 'all' };

export const kDefaultVersionPolicy: ResolvedVersionPolicy = { kind: 'latest', numVersions: 1 };

/** Checks config.json's versionPolicy; `where` names the file in messages. */
export function resolveVersionPolicy(input: unknown, where: string): ResolvedVersionPolicy {
  if (input === undefined) return kDefaultVersionPolicy;
  const expected = `${where}: versionPolicy must be { "latest": { "numVersions": N } }, { "specific": { "versions": [1, 3] } } or { "all": {} }`;
  if (!isPlainObject(input) || Object.keys(input).length !== 1) throw errors.modelConfig(`${expected}, received ${JSON.stringify(input)}`);
  const [kind, body] = Object.entries(input)[0]!;
  if (!isPlainObject(body)) throw errors.modelConfig(`${expected}, received ${JSON.stringify(input)}`);
  const keys = Object.keys(body);
  switch (kind) {
    case 'latest':
      if (keys.some((key) => key !== 'numVersions') || !isInteger(body.numVersions, 1)) {
        throw errors.modelConfig(`${where}: versionPolicy.latest.numVersions must be an integer ≥ 1, received ${describe(body.numVersions)}`);
      }
      return { kind, numVersions: body.numVersions };
    case 'specific': {
      const versions = body.versions;
      if (keys.some((key) => key !== 'versions') || !Array.isArray(versions) || versions.length === 0 || !versions.every((v) => isInteger(v, 0))) {
        throw errors.modelConfig(`${where}: versionPolicy.specific.versions must be a non-empty array of non-negative integers, received ${JSON.stringify(versions)}`);
      }
      return { kind, versions: [...new Set((versions as number[]).map(String))] };
    }
    case 'all':
      if (keys.length !== 0) throw errors.modelConfig(`${where}: versionPolicy.all takes no options, received ${JSON.stringify(body)}`);
      return { kind };
    default:
      throw errors.modelConfig(`${expected}, received ${JSON.stringify(input)}`);
  }
}

/**
 * The versions that should serve, given those on disk (oldest first). 'specific' lists its
 * versions whether or not their directories exist, so that a missing one is reported.
 */
export function selectVersions(policy: ResolvedVersionPolicy, onDisk: readonly string[]): string[] {
  switch (policy.kind) {
    case 'latest':
      return onDisk.slice(-policy.numVersions);
    case 'specific':
      return policy.versions;
    case 'all':
      return [...onDisk];
  }
}
