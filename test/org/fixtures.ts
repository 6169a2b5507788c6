/**
 * An "organisation" of real git repositories in a temp folder, built with git fast-import (one
 * process per repository, fixed dates), with GitHub tokens seeded in their history: some removed
 * again (history only), some only on a feature branch, one shared by two repositories, plus one
 * large repository whose scan takes long enough to kill a worker in the middle of it.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { fingerprint } from '@tokenward/engine';
import { gitEnv } from '../git/repo.js';
import { githubToken } from '../helpers/tokens.js';

export const RULE = 'github-pat-classic';

export interface Seeded {
  token: string;
  fingerprint: string;
  repos: string[];
  inHead: boolean;
}

export interface OrgRepo {
  name: string;
  dir: string;
  url: string;
}

export interface SeededOrg {
  repos: OrgRepo[];
  /** With `monolith: true`. */
  big?: OrgRepo;
  secrets: Seeded[];
  /** Adds commits to a branch of `repo` (default main; fast-import); returns how many. */
  addCommits(repo: OrgRepo, files: Array<Record<string, string>>, branch?: string): number;
}

let clock = Date.UTC(2022, 0, 1) / 1000;

class Stream {
  private parts: string[] = [];
  private mark = 0;
  commit(ref: string, message: string, files: Record<string, string | null>, from?: string): string {
    const m = `:${++this.mark}`;
    clock += 3600;
    const who = `Ada Test <ada@example.com> ${clock} +0000`;
    this.parts.push(`commit ${ref}\nmark ${m}\nauthor ${who}\ncommitter ${who}\n${data(message)}`);
    if (from) this.parts.push(`from ${from}\n`);
    for (const [path, content] of Object.entries(files)) this.parts.push(content === null ? `D ${path}\n` : `M 100644 inline ${path}\n${data(content)}`);
    this.parts.push('\n');
    return m;
  }
  tag(name: string, from: string): void {
    clock += 60;
    this.parts.push(`tag ${name}\nfrom ${from}\ntagger Ada Test <ada@example.com> ${clock} +0000\n${data(`release ${name}`)}`);
  }
  toString(): string {
    return this.parts.join('');
  }
}

const data = (s: string) => `data ${Buffer.byteLength(s)}\n${s}\n`;

function fastImport(dir: string, stream: string): void {
  execFileSync('git', ['fast-import', '--quiet', '--force'], { cwd: dir, env: gitEnv(), input: stream, stdio: ['pipe', 'ignore', 'pipe'] });
}

function init(root: string, name: string): OrgRepo {
  const dir = join(root, name);
  mkdirSync(dir, { recursive: true });
  execFileSync('git', ['init', '-q', '-b', 'main', dir], { env: gitEnv() });
  return { name, dir, url: pathToFileURL(dir).href };
}

const prose = (n: number, lines: number) =>
  Array.from({ length: lines }, (_, i) => `Paragraph ${n}.${i}: the deployment guide explains how the service starts, where it logs and whom to call.`).join('\n') + '\n';

export function makeSeededOrg(root: string, count: number, options: { monolith?: boolean } = {}): SeededOrg {
  const secrets: Seeded[] = [];
  const seed = (repos: string[], inHead: boolean): string => {
    const token = githubToken();
    secrets.push({ token, fingerprint: fingerprint(RULE, token), repos, inHead });
    return token;
  };
  const repos: OrgRepo[] = [];
  const shared = seed([], true);
  for (let i = 0; i < count; i++) {
    const repo = init(root, `service-${String(i).padStart(2, '0')}`);
    repos.push(repo);
    const s = new Stream();
    let tip = s.commit('refs/heads/main', 'Initial commit', { 'README.md': `# ${repo.name}\n\n${prose(i, 3)}` });
    const removed = i % 3 === 0;
    const token = seed([repo.name], !removed);
    tip = s.commit('refs/heads/main', 'Add deploy configuration', { 'deploy/config.js': `module.exports = {\n  region: "eu-west-1",\n  githubToken: "${token}",\n};\n` }, tip);
    if (removed) tip = s.commit('refs/heads/main', 'Read the token from the environment', { 'deploy/config.js': 'module.exports = {\n  region: "eu-west-1",\n  githubToken: process.env.GITHUB_TOKEN,\n};\n' }, tip);
    if (i === 1 || i === 2) {
      tip = s.commit('refs/heads/main', 'CI publishing', { '.github/publish.sh': `#!/bin/sh\nexport GH_TOKEN=${shared}\n./publish\n` }, tip);
      secrets[0]!.repos.push(repo.name);
    }
    if (i % 5 === 1) {
      const feature = seed([repo.name], false);
      s.commit('refs/heads/feature/migrate', 'WIP migration', { 'scripts/migrate.sh': `#!/bin/sh\ncurl -H "Authorization: token ${feature}" https://api.github.com/user\n` }, tip);
    }
    if (i % 4 === 2) s.tag('v1.0.0', tip);
    s.commit('refs/heads/main', 'Update README', { 'README.md': `# ${repo.name}\n\n${prose(i, 5)}` }, tip);
    fastImport(repo.dir, s.toString());
  }

  if (!options.monolith) return { repos, secrets, addCommits };
  // The large one: 250 commits of 4 files of prose, one token in the middle of its history.
  const big = init(root, 'monolith');
  const s = new Stream();
  let tip: string | undefined;
  const bigToken = seed([big.name], true);
  for (let c = 0; c < 250; c++) {
    const files: Record<string, string> = {};
    for (let f = 0; f < 4; f++) files[`docs/part-${f}.md`] = prose(c * 10 + f, 40);
    if (c === 125) files['config/settings.yaml'] = `github:\n  token: ${bigToken}\n`;
    tip = s.commit('refs/heads/main', `Docs revision ${c}`, files, tip);
  }
  fastImport(big.dir, s.toString());

  return { repos, big, secrets, addCommits };
}

function addCommits(repo: OrgRepo, files: Array<Record<string, string>>, branch = 'main'): number {
  const st = new Stream();
  let from: string | undefined = `refs/heads/${branch}^0`;
  for (const f of files) from = st.commit(`refs/heads/${branch}`, 'More changes', f, from);
  fastImport(repo.dir, st.toString());
  return files.length;
}

/** A fresh token and its fingerprint, for commits added later. */
export function seedToken(): { token: string; fingerprint: string } {
  const token = githubToken();
  return { token, fingerprint: fingerprint(RULE, token) };
}
