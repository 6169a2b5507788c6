/**
 * Key stores and binary private keys are findings by their content, whatever their name, in a
 * folder, inside archives and in git history; trust stores (certificates only) are not. DER keys
 * are made here by Node's crypto; PKCS#12 and Java key stores are the ones keytool and openssl
 * wrote for the rule's examples (rules/key-stores.yaml).
 */
import { generateKeyPairSync } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { zipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { parseRuleFile } from '@tokenward/engine';
import { defaultRulesDir } from '@tokenward/project';
import { runCli, testTree } from '../helpers/cli.js';
import { testRepo } from '../git/repo.js';

const defs = parseRuleFile(readFileSync(join(defaultRulesDir(), 'key-stores.yaml'), 'utf8'), 'key-stores.yaml');
const example = (id: string, kind: 'positive' | 'negative', i: number): Buffer => Buffer.from(defs.find((d) => d.id === id)!.examples[kind][i]!.text, 'base64');

interface JsonFinding {
  path: string;
  line: number;
  ruleId: string;
  confidence: string;
  severity: string;
  redacted: string;
  fingerprint: string;
  commit?: string;
}

async function findings(dir: string, args: string[] = ['.']): Promise<JsonFinding[]> {
  const r = await runCli(['scan', '--no-config', '-f', 'json', ...args], { cwd: dir });
  expect(r.code, r.stderr).toBeLessThan(2);
  return (JSON.parse(r.stdout) as { findings: JsonFinding[] }).findings;
}

const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });

describe('key stores and DER keys, by content', () => {
  it('reports each kind once, at line 1, under names that say nothing', async () => {
    const dir = testTree({
      'a.bin': example('key-store-pkcs12', 'positive', 0),
      'b.dat': example('key-store-java', 'positive', 0),
      'c.dat': example('key-store-java', 'positive', 1),
      'd.dat': example('key-store-keepass', 'positive', 0),
      'e.key': rsa.privateKey.export({ type: 'pkcs1', format: 'der' }),
      'f.key': ec.privateKey.export({ type: 'sec1', format: 'der' }),
      'g.key': ec.privateKey.export({ type: 'pkcs8', format: 'der' }),
      'h.key': ec.privateKey.export({ type: 'pkcs8', format: 'der', cipher: 'aes-256-cbc', passphrase: 'changeit' }),
      // A SEC1 key with no NUL byte reads as text: recognised all the same.
      'i.key': example('private-key-der', 'positive', 1),
    });
    expect(example('private-key-der', 'positive', 1).includes(0)).toBe(false);
    const found = await findings(dir);
    expect(found.map((f) => [f.path, f.line, f.ruleId, f.confidence])).toEqual([
      ['a.bin', 1, 'key-store-pkcs12', 'medium'],
      ['b.dat', 1, 'key-store-java', 'medium'],
      ['c.dat', 1, 'key-store-java', 'medium'],
      ['d.dat', 1, 'key-store-keepass', 'medium'],
      ['e.key', 1, 'private-key-der', 'medium'],
      ['f.key', 1, 'private-key-der', 'medium'],
      ['g.key', 1, 'private-key-der', 'medium'],
      // Needs its passphrase: like an encrypted PEM key, low and at most medium severity.
      ['h.key', 1, 'private-key-der', 'low'],
      ['i.key', 1, 'private-key-der', 'medium'],
    ]);
    expect(found[0]!.redacted).toMatch(/^<PKCS#12 key store with a private key, \d+ bytes>$/);
    expect(found.find((f) => f.path === 'h.key')!.severity).toBe('medium');
  });

  it('does not report trust stores, public keys or certificates', async () => {
    const dir = testTree({
      'truststore.p12': example('key-store-pkcs12', 'negative', 1),
      'cacerts.jks': example('key-store-java', 'negative', 0),
      'pub.der': ec.publicKey.export({ type: 'spki', format: 'der' }),
      'rsa-pub.der': rsa.publicKey.export({ type: 'pkcs1', format: 'der' }),
    });
    expect(await findings(dir)).toEqual([]);
  });

  it('gives the same key store the same fingerprint wherever it is (renamed, copied, inside a jar), a different one another', async () => {
    const store = example('key-store-java', 'positive', 0);
    const dir = testTree({
      'keystore.jks': store,
      'copy/renamed.bin': store,
      'app.jar': Buffer.from(zipSync({ 'BOOT-INF/classes/server.jks': store })),
      'other.jks': example('key-store-java', 'positive', 1),
    });
    const found = await findings(dir);
    expect(found.map((f) => f.path)).toEqual(['app.jar!BOOT-INF/classes/server.jks', 'copy/renamed.bin', 'keystore.jks', 'other.jks']);
    const [inJar, copy, original, other] = found.map((f) => f.fingerprint);
    expect(new Set([inJar, copy, original]).size).toBe(1);
    expect(other).not.toBe(original);
  });

  it('in git history: a key store committed, then deleted, is found at its commit', async () => {
    const repo = testRepo();
    repo.commit('init', { 'README.md': 'hello\n' });
    writeFileSync(join(repo.dir, 'deploy.p12'), example('key-store-pkcs12', 'positive', 0));
    const sha = repo.commit('add deploy certificate', {});
    repo.commit('remove it', { 'deploy.p12': null });
    const found = await findings(repo.dir, ['--history']);
    expect(found.map((f) => [f.path, f.ruleId, f.commit])).toEqual([['deploy.p12', 'key-store-pkcs12', sha]]);
  });
});
