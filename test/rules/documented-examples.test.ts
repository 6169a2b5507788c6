import { describe, expect, it } from 'vitest';
import { compileRules, scanText } from '@tokenward/engine';
import { randomBase62 } from '../helpers/tokens.js';
import { ALL_RULES } from './catalogue.js';

const compiled = compileRules(ALL_RULES);
const found = (text: string, path: string) => scanText(compiled, text, { path }).map((f) => `${f.ruleId}:${f.secret}`);
const hex = (n: number) => Array.from({ length: n }, () => '0123456789abcdef'[Math.floor(Math.random() * 16)]).join('');

// Example values the providers publish in their own documentation: no rule reports them, provider
// or generic. The same text with a fresh value is reported, so these checks can fail.
const CASES: { name: string; make: (value: string) => string; documented: string; fresh: () => string }[] = [
  {
    name: "Firebase's SDK reference example API key",
    make: (v) => `const firebaseConfig = {\n  apiKey: "${v}",\n  authDomain: "myapp-project-123.firebaseapp.com",\n};\n`,
    documented: 'AIzaSyDOCAbC123dEf456GhI789jKl012-MnO',
    fresh: () => `AIza${randomBase62(35)}`,
  },
  {
    name: "Firebase's shorter example API key",
    make: (v) => `export const environment = { firebase: { apiKey: "${v}" } };\n`,
    documented: 'AIzaSyDOCAbC123dEf456GhI789jKl01-MnO',
    fresh: () => `AIza${randomBase62(35)}`,
  },
  {
    name: "Azurite's well-known development storage key",
    make: (v) => `conn = "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=${v};BlobEndpoint=http://127.0.0.1:10000/devstoreaccount1;"\n`,
    documented: 'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==',
    fresh: () => `${randomBase62(86)}==`,
  },
  {
    name: "Hardhat's default account #0",
    make: (v) => `PRIVATE_KEY=0x${v}\n`,
    documented: 'ac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80',
    fresh: () => hex(64),
  },
];

describe('documented example values', () => {
  for (const c of CASES) {
    it(`${c.name} is not reported by any rule`, () => {
      for (const path of ['config.ts', 'notes.txt', '.env']) {
        expect(found(c.make(c.documented), path)).toEqual([]);
        expect(found(c.make(c.fresh()), path).length, `${c.name} with a fresh value in ${path}`).toBeGreaterThan(0);
      }
    });
  }
});
