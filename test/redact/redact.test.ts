import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire, syncBuiltinESMExports } from 'node:module';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compileRules, fingerprint, type RuleDefinition } from '@tokenward/engine';
import pino from 'pino';
import winston from 'winston';
import { createRedactor, pinoStreamWrite, redactFormat, LineRedactor, builtInRules } from '@tokenward/redact';
import { BIN, runCli, testTree } from '../helpers/cli.js';
import { githubToken } from '../helpers/tokens.js';

const redact = createRedactor();
const MASKED = /ghp_\*\*\*\*…[A-Za-z0-9]{4}/;

/** Feeds pieces to a LineRedactor and joins what it writes. */
function throughStream(pieces: (string | Buffer)[], maxLineBytes?: number): Buffer {
  const r = new LineRedactor(builtInRules(), { maxLineBytes });
  const out = pieces.map((p) => r.push(typeof p === 'string' ? Buffer.from(p) : p));
  out.push(r.end());
  return Buffer.concat(out);
}

describe('createRedactor (strings)', () => {
  it('masks a token in a long line and leaves the rest unchanged', () => {
    const t = githubToken();
    const filler = 'x'.repeat(200_000);
    const out = redact(`${filler} token ${t} ${filler}`);
    expect(out).not.toContain(t);
    expect(out).toBe(`${filler} token ${redact(t)} ${filler}`);
    expect(redact(t)).toMatch(MASKED);
  });

  it('masks a token in a JSON log line', () => {
    const t = githubToken();
    const line = JSON.stringify({ level: 30, msg: 'calling api', headers: { authorization: `token ${t}` } });
    const out = redact(line);
    expect(out).not.toContain(t);
    expect(JSON.parse(out).headers.authorization).toMatch(MASKED);
  });

  it('masks percent-encoded URL credentials', () => {
    const password = 'Vq8r@T2mXz/9LpW';
    const url = `git clone https://deploy:${encodeURIComponent(password)}@git.example.com/a.git`;
    const out = redact(url);
    expect(out).not.toContain(encodeURIComponent(password));
    expect(out).toMatch(/^git clone https:\/\/deploy:\*\*\*\*.*@git\.example\.com\/a\.git$/);
  });

  it('masks a token in a URL query', () => {
    const t = githubToken();
    expect(redact(`GET https://api.example.com/hook?access_token=${t}&page=2`)).toBe(`GET https://api.example.com/hook?access_token=${redact(t)}&page=2`);
  });

  it('masks a token inside a percent-encoded nested URL (…%3Ftoken%3Dghp_…)', () => {
    const t = githubToken();
    // The look-behind of the GitHub rule sees the "D" of %3D: the query value is decoded and
    // rescanned, and the token found in it is masked where it is written.
    const once = `https://app.example.com/login?next=https%3A%2F%2Fapi.example.com%2Fv1%3Ftoken%3D${t}%26page%3D2`;
    expect(redact(once)).toBe(once.replace(t, redact(t)));
    // Encoded twice (a URL in a parameter of a URL in a parameter): %253D.
    const twice = `https://sso.example.com/?r=${encodeURIComponent(once)}`;
    expect(redact(twice)).not.toContain(t);
  });

  it('masks a Basic authorization header', () => {
    const b64 = Buffer.from('deploy:Vq8rT2mXz9LpW4sK').toString('base64');
    const out = redact(`> Authorization: Basic ${b64}\n`);
    expect(out).not.toContain(b64);
    expect(out).toMatch(/^> Authorization: Basic \*\*\*\*/);
  });

  it('FULL masking shows nothing of the secret', () => {
    const t = githubToken();
    expect(createRedactor({ mask: 'full' })(`a ${t} b`)).toBe('a **** b');
  });

  it('keeps text without secrets identical (lone surrogates too)', () => {
    const s = 'plain \ud800 text ✓';
    expect(redact(s)).toBe(s);
    const t = githubToken();
    expect(redact(`\ud800 ${t} ✓`)).toBe(`\ud800 ${redact(t)} ✓`);
  });

  it('reports fingerprints and rule ids only', () => {
    const seen: unknown[] = [];
    const t = githubToken();
    createRedactor({ onMasked: (m) => seen.push(m) })(`x ${t}`);
    expect(seen).toHaveLength(1);
    expect(JSON.stringify(seen)).not.toContain(t.slice(4));
    expect(seen[0]).toMatchObject({ ruleId: 'github-pat-classic' });
  });
});

describe('LineRedactor (streams)', () => {
  it('catches a secret split across two writes of a line', () => {
    const t = githubToken();
    const out = throughStream(['first line\nkey: ', t.slice(0, 9), t.slice(9, 20), `${t.slice(20)} tail\nlast`]).toString();
    expect(out).not.toContain(t);
    expect(out).toBe(`first line\nkey: ${redact(t)} tail\nlast`);
  });

  it('passes binary, invalid UTF-8, CRLF and ANSI colours through byte for byte', () => {
    const bin = Buffer.from([0x00, 0xff, 0xfe, 0xc3, 0x28, 0x80, 0x0d, 0x0a, 0x1b, 0x5b, 0x33, 0x31, 0x6d, 0x41, 0x1b, 0x5b, 0x30, 0x6d, 0x0d, 0x0a]);
    const random = Buffer.alloc(300_000);
    for (let i = 0; i < random.length; i++) random[i] = (i * 7919 + (i >> 3)) & 0xff;
    const input = Buffer.concat([bin, random, bin]);
    const pieces = [input.subarray(0, 1000), input.subarray(1000, 150_000), input.subarray(150_000)];
    expect(throughStream(pieces).equals(input)).toBe(true);
  });

  it('masks only the secret in a binary line', () => {
    const t = githubToken();
    const input = Buffer.concat([Buffer.from([0xff, 0x00, 0xfe]), Buffer.from(` ${t} `), Buffer.from([0xc3, 0x28, 0x0a])]);
    const out = throughStream([input]);
    expect(out.equals(Buffer.concat([Buffer.from([0xff, 0x00, 0xfe]), Buffer.from(` ${redact(t)} `), Buffer.from([0xc3, 0x28, 0x0a])]))).toBe(true);
  });

  it('writes a line without newline in pieces after the cap, still catching a secret across the cut', () => {
    const r = new LineRedactor(builtInRules(), { maxLineBytes: 64 * 1024 });
    const t = githubToken();
    let written = 0;
    let text = '';
    for (let i = 0; i < 40; i++) {
      const piece = i === 20 ? ` ${t} ` : 'y'.repeat(10_000);
      const out = r.push(Buffer.from(piece));
      written += out.length;
      text += out.toString();
    }
    // Memory stays bounded: most of the endless line was written before it ended.
    expect(written).toBeGreaterThan(300_000);
    text += r.end().toString();
    expect(text).not.toContain(t);
    expect(text).toContain(redact(t));
  });

  it('holds a private key block until its END line so it is masked whole', () => {
    const body = 'MIIEowIBAAKCAQEAu' + 'Q'.repeat(60) + '\n' + 'ZmFrZWtleWJvZHl0ZXh0'.repeat(4) + '\n';
    const key = `-----BEGIN RSA PRIVATE KEY-----\n${body}-----END RSA PRIVATE KEY-----`;
    const lines = `before\n${key}\nafter\n`;
    const r = new LineRedactor(builtInRules());
    const parts = lines.split(/(?<=\n)/).map((l) => r.push(Buffer.from(l)).toString());
    parts.push(r.end().toString());
    const out = parts.join('');
    expect(out).not.toContain('ZmFrZWtleWJvZHl0ZXh0');
    expect(out.startsWith('before\n')).toBe(true);
    expect(out.endsWith('\nafter\n')).toBe(true);
  });
});

/** Spawns `tokenward redact ARGS` with a pipe and collects stdout as it arrives. */
function spawnRedact(args: string[], cwd?: string) {
  const child = spawn(process.execPath, [BIN, 'redact', ...args], { cwd, stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  const waiters: { text: string; done: () => void }[] = [];
  child.stdout.on('data', (d: Buffer) => {
    out += d.toString();
    for (const w of waiters.splice(0)) if (out.includes(w.text)) w.done();
      else waiters.push(w);
  });
  const closed = new Promise<number | null>((done) => child.on('close', done));
  return {
    child,
    output: () => out,
    waitFor: (text: string, ms = 20_000) =>
      new Promise<void>((done, fail) => {
        if (out.includes(text)) return done();
        const timer = setTimeout(() => fail(new Error(`timed out waiting for ${JSON.stringify(text)}; got ${JSON.stringify(out)}`)), ms);
        waiters.push({ text, done: () => (clearTimeout(timer), done()) });
      }),
    closed,
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('tokenward redact (real processes)', () => {
  it('streams: the first line is on stdout before the second is written; split writes are caught', async () => {
    const t = githubToken();
    const p = spawnRedact([]);
    p.child.stdin.write(`first ${t.slice(0, 12)}`);
    await sleep(150);
    p.child.stdin.write(`${t.slice(12)} done\n`);
    await p.waitFor('done\n');
    expect(p.output()).toBe(`first ${redact(t)} done\n`);
    p.child.stdin.write('second line, no newline yet');
    await sleep(150);
    expect(p.output()).toBe(`first ${redact(t)} done\n`);
    p.child.stdin.end('\n');
    expect(await p.closed).toBe(0);
    expect(p.output()).toBe(`first ${redact(t)} done\nsecond line, no newline yet\n`);
  });

  it('--report writes fingerprints and rule ids, never the secret', async () => {
    const dir = testTree();
    const t = githubToken();
    const r = await runCli(['redact', '--report', 'masked.jsonl', '--mask', 'FULL'], { cwd: dir, input: `a ${t}\nb ${t}\n` });
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('a ****\nb ****\n');
    const report = readFileSync(join(dir, 'masked.jsonl'), 'utf8');
    expect(report).not.toContain(t.slice(4, 30));
    const lines = report.trim().split('\n').map((l) => JSON.parse(l));
    expect(lines).toEqual([{ ruleId: 'github-pat-classic', fingerprint: expect.stringMatching(/^[0-9a-f]{40}$/) }]);
  });

  it('passes invalid UTF-8 and binary through unchanged', async () => {
    const input = Buffer.from([0xff, 0xfe, 0x00, 0x41, 0x0d, 0x0a, 0xc3, 0x28, 0x1b, 0x5b, 0x31, 0x6d]);
    const child = spawn(process.execPath, [BIN, 'redact'], { stdio: ['pipe', 'pipe', 'inherit'] });
    const out: Buffer[] = [];
    child.stdout.on('data', (d: Buffer) => out.push(d));
    child.stdin.end(input);
    expect(await new Promise((done) => child.on('close', done))).toBe(0);
    expect(Buffer.concat(out).equals(input)).toBe(true);
  });

  it('--wrap redacts stdout and stderr and passes exit codes through (0, 3, signal)', async () => {
    const t = githubToken();
    const ok = await runCli(['redact', '--wrap', '--', 'sh', '-c', `echo out ${t}; echo err ${t} >&2`]);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toBe(`out ${redact(t)}\n`);
    expect(ok.stderr).toBe(`err ${redact(t)}\n`);
    const three = await runCli(['redact', '--wrap', '--', 'sh', '-c', 'echo x; exit 3']);
    expect(three.code).toBe(3);
    const killed = await runCli(['redact', '--wrap', '--', 'sh', '-c', 'kill -TERM $$']);
    expect(killed.code).toBe(128 + 15);
    const missing = await runCli(['redact', '--wrap', '--', 'no-such-command-tw']);
    expect(missing.code).toBe(127);
  });
});

/**
 * A fingerprint is a scrypt (slow on purpose: it is stored and published), so masking must not
 * derive one for every secret it hides; only `onMasked` and `--report` ask for them. Counted at
 * the source: node:crypto's scryptSync, wrapped (calls pass through) for the engine's live
 * import binding.
 */
describe('fingerprints only when asked for', () => {
  const crypto = createRequire(import.meta.url)('node:crypto') as typeof import('node:crypto');
  const original = crypto.scryptSync;
  let scrypts = 0;
  beforeAll(() => {
    crypto.scryptSync = ((...args: Parameters<typeof original>) => {
      scrypts++;
      return original(...args);
    }) as typeof original;
    syncBuiltinESMExports();
  });
  afterAll(() => {
    crypto.scryptSync = original;
    syncBuiltinESMExports();
  });
  // Fresh tokens each time: the engine remembers the fingerprints it computed.
  const logOf = (tokens: string[]) => tokens.map((t, i) => `${i} token ${t}\n`).join('');

  it('createRedactor: none without onMasked, one per secret with it', () => {
    const quiet = [githubToken(), githubToken(), githubToken()];
    scrypts = 0;
    expect(createRedactor()(logOf(quiet))).not.toContain(quiet[0]);
    expect(createRedactor().buffer(Buffer.from(logOf(quiet))).toString()).not.toContain(quiet[1]);
    expect(throughStream([logOf(quiet)]).toString()).not.toContain(quiet[2]);
    expect(scrypts).toBe(0);

    const reported = [githubToken(), githubToken()];
    const seen: unknown[] = [];
    createRedactor({ onMasked: (m) => seen.push(m) })(logOf(reported));
    expect(scrypts).toBe(2);
    expect(seen).toEqual(reported.map((t) => ({ ruleId: 'github-pat-classic', fingerprint: fingerprint('github-pat-classic', t) })));
  });

  it('tokenward redact: none without --report, one per secret with it', async () => {
    const dir = testTree();
    const quiet = [githubToken(), githubToken()];
    scrypts = 0;
    const r = await runCli(['redact'], { cwd: dir, input: logOf(quiet) });
    expect(r.stdout).not.toContain(quiet[0]);
    expect(scrypts).toBe(0);
    const reported = [githubToken(), githubToken()];
    await runCli(['redact', '--report', 'masked.jsonl'], { cwd: dir, input: logOf(reported) });
    expect(scrypts).toBe(2);
    const lines = readFileSync(join(dir, 'masked.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(lines).toEqual(reported.map((t) => ({ ruleId: 'github-pat-classic', fingerprint: fingerprint('github-pat-classic', t) })));
  });
});

describe('rules passed in code', () => {
  const acme = (pattern: string, more: Partial<RuleDefinition> = {}): RuleDefinition => ({
    id: 'acme-key',
    provider: 'Acme',
    title: 'Acme key',
    severity: 'high',
    keywords: ['acme_'],
    pattern,
    examples: { positive: [], negative: [] },
    ...more,
  });

  it('a pattern with catastrophic backtracking is refused, naming the option, the rule, the field and why', () => {
    // (a+)+b takes seconds on a few dozen "a"s: one log line would hang the program logging it.
    const why = /catastrophic backtracking: "\(a\+\)\+" repeats "a\+"/;
    expect(() => createRedactor({ rules: [acme('acme_(a+)+b')] })).toThrow(/^createRedactor: rules: rule "acme-key" field "pattern" catastrophic backtracking/);
    expect(() => createRedactor({ rules: [acme('acme_(a+)+b')] })).toThrow(why);
    expect(() => createRedactor({ extraRules: [acme('acme_(a+)+b')] })).toThrow(/^createRedactor: extraRules: rule "acme-key" field "pattern" /);
    expect(() => createRedactor({ rules: compileRules([acme('acme_(a+)+b')]) })).toThrow(why);
    expect(() => createRedactor({ rules: [acme('acme_[a-z]{24}', { allow: [{ patterns: ['^(x+x+)+y$'] }] })] })).toThrow(/field "allow\.0\.patterns\.0"/);
  });

  it('a safe custom rule is used as a rule file would be', () => {
    const r = createRedactor({ rules: [acme('acme_[a-z0-9]{24}')] });
    expect(r('key acme_abcdefghijklmnopqrstuvwx end')).toBe('key acme_****…uvwx end');
  });
});

describe('logger integrations (real packages)', () => {
  it('pino: hooks.streamWrite', () => {
    const t = githubToken();
    const lines: string[] = [];
    const dest = new Writable({ write(c, _e, done) { lines.push(c.toString()); done(); } });
    const log = pino({ hooks: { streamWrite: pinoStreamWrite() } }, dest);
    log.info({ token: t }, `calling with ${t}`);
    expect(lines.join('')).not.toContain(t);
    const entry = JSON.parse(lines[0]!);
    expect(entry.token).toMatch(MASKED);
    expect(entry.msg).toMatch(/^calling with ghp_\*\*\*\*/);
  });

  it('winston: redactFormat', () => {
    const t = githubToken();
    const lines: string[] = [];
    const log = winston.createLogger({
      format: winston.format.combine(winston.format.json(), redactFormat()),
      transports: [new winston.transports.Stream({ stream: new Writable({ write(c, _e, done) { lines.push(c.toString()); done(); } }) })],
    });
    log.info(`deploy token ${t}`, { auth: { token: t } });
    expect(lines.join('')).not.toContain(t);
    const entry = JSON.parse(lines[0]!);
    expect(entry.message).toMatch(/^deploy token ghp_\*\*\*\*/);
  });
});
