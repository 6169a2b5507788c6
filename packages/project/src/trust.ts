/**
 * Who may decide where found tokens are sent. A repository is scanned because it may hold leaked
 * secrets, so its own `.tokenward.yaml` is data, not authority: the settings that widen where a
 * token goes (`revoke.endpoints`, rule files that add verify/revoke hosts) count only from the
 * user's own configuration, the command line, or a project file the user trusted with
 * `tokenward trust`. Trust is recorded by content (SHA-256 of the file and of the rule files it
 * names), as direnv and mise do: any change to them ends it.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve, sep } from 'node:path';
import { UsageError } from './errors.js';

/** `$XDG_CONFIG_HOME/tokenward`, else `~/.config/tokenward` (`%APPDATA%\tokenward` on Windows). */
export function userConfigDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.XDG_CONFIG_HOME) return join(resolve(env.XDG_CONFIG_HOME), 'tokenward');
  if (process.platform === 'win32' && env.APPDATA) return join(env.APPDATA, 'tokenward');
  return join(env.HOME || homedir(), '.config', 'tokenward');
}

export const USER_CONFIG_NAMES = ['config.yaml', 'config.yml', 'config.json'] as const;
const TRUST_FILE = 'trusted.json';

/** The user's own configuration file, if there is one. */
export function findUserConfig(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const dir = userConfigDir(env);
  return USER_CONFIG_NAMES.map((n) => join(dir, n)).find((p) => existsSync(p));
}

/** True for files in the user's own configuration folder (never a scanned repository's). */
export function isUserFile(file: string, env: NodeJS.ProcessEnv = process.env): boolean {
  return resolve(file).startsWith(userConfigDir(env) + sep);
}

/** What trust covers: the configuration's bytes and those of every rule file it names. */
export function configDigest(configText: string, ruleFiles: readonly string[]): string {
  const h = createHash('sha256').update('tokenward-config\0').update(configText).update('\0');
  for (const f of [...ruleFiles].sort()) h.update(f).update('\0').update(readFileSync(f)).update('\0');
  return h.digest('hex');
}

export interface TrustRecord {
  file: string;
  sha256: string;
  trustedAt: string;
}

interface TrustStore {
  version: 1;
  trusted: TrustRecord[];
}

const storePath = (env: NodeJS.ProcessEnv) => join(userConfigDir(env), TRUST_FILE);

function readStore(env: NodeJS.ProcessEnv): TrustStore {
  const path = storePath(env);
  if (!existsSync(path)) return { version: 1, trusted: [] };
  try {
    const data = JSON.parse(readFileSync(path, 'utf8')) as TrustStore;
    if (data.version === 1 && Array.isArray(data.trusted)) return data;
  } catch {
    // Fall through: an unreadable store trusts nothing (the safe side), and says so.
  }
  throw new UsageError(`cannot read the trust records ${path}: not a Tokenward trust file (remove it and run tokenward trust again)`);
}

function writeStore(env: NodeJS.ProcessEnv, store: TrustStore): string {
  const path = storePath(env);
  mkdirSync(userConfigDir(env), { recursive: true, mode: 0o700 });
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(store, null, 2)}\n`, { mode: 0o600 });
  renameSync(tmp, path);
  return path;
}

/** `trusted`: recorded with this digest; `changed`: recorded with another; `untrusted`: never recorded. */
export function trustState(file: string, digest: string, env: NodeJS.ProcessEnv = process.env): 'trusted' | 'changed' | 'untrusted' {
  const rec = readStore(env).trusted.find((r) => r.file === resolve(file));
  if (!rec) return 'untrusted';
  return rec.sha256 === digest ? 'trusted' : 'changed';
}

/** Records `file` as trusted with its current digest; returns the trust file written. */
export function recordTrust(file: string, digest: string, env: NodeJS.ProcessEnv = process.env, now = new Date()): string {
  const store = readStore(env);
  const abs = resolve(file);
  store.trusted = [...store.trusted.filter((r) => r.file !== abs), { file: abs, sha256: digest, trustedAt: now.toISOString() }];
  return writeStore(env, store);
}

/** Forgets `file`; false when it was not recorded. */
export function removeTrust(file: string, env: NodeJS.ProcessEnv = process.env): boolean {
  const store = readStore(env);
  const abs = resolve(file);
  const kept = store.trusted.filter((r) => r.file !== abs);
  if (kept.length === store.trusted.length) return false;
  writeStore(env, { ...store, trusted: kept });
  return true;
}

export function listTrust(env: NodeJS.ProcessEnv = process.env): TrustRecord[] {
  return readStore(env).trusted;
}
