import { describe, expect, it } from 'vitest';
import { azureDevOpsBase32Decode, base62, CHECKSUMS, compileRules, crc32, scanText } from '@tokenward/engine';
import { ALL_RULES } from './catalogue.js';

// Published vectors (providers.json / providers.meta.json in the project's shared knowledge):
// unit vectors for the primitives, then real-format tokens from the cited public detectors.
describe('checksum primitives', () => {
  it('match the published unit vectors', () => {
    expect(crc32('hello')).toBe(907060870);
    expect(crc32('hello').toString(16)).toBe('3610a686');
    expect(base62(crc32('hello'), 6)).toBe('0zNvy2');
    expect(crc32('hello').toString(36).padStart(7, '0')).toBe('0f01gna');
    expect(CHECKSUMS['crc32-le-hex']!('hello_86a61036')).toBe(true);
    expect(CHECKSUMS['crc32-le-hex']!('hello_3610a686')).toBe(false);
  });
});

const VECTORS: Array<{ checksum: string; valid: string[]; invalid: string[] }> = [
  {
    checksum: 'crc32-base62',
    valid: [
      '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',
      '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',
      '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',
      'ghu_TIOHHEVefAwRonSMALCFfWMYK0un1R1dj2rn',
      'ghr_xgrrGzSbbGRL34Wp39JU9nxtN27Pr1v1He8FjE7x7wbExGGs7nfJszJDAmZuoKasxZ0KxJ1HSzgc',
      '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',
      'vcp_35UYJwYZDigYATKhxJUAhPqRhit2Xe3dtiG60LsUTHeklEXDQ94Jafpu',
    ],
    invalid: ['ghp_sbUsUmRNn8X74dFU0DJ9Fm1mvdCgtH474T39', 'npm_UEuirnhN6qyDNigmWWTIEHMNquQHF54FKSCv', 'ghp_', 'ghp_123456'],
  },
  {
    checksum: 'crc32-base36',
    valid: ['glpat-vSY1cyL948aAB440qB6L4zlu9OzsUmEV.01.0w0sfevch'],
    invalid: ['glpat-vSY1cyL948aAB440qB6L4zlu9OzsUmEV.01.0w0sfevci', 'glpat-vSY1cyL948aAB440qB6L4zlu9OzsUmEW.01.0w0sfevch'],
  },
  {
    checksum: 'crc32-hex-upper',
    valid: [
      'ATATT3xFfGF0K3irG5tKKi-6u-wwaXQFeGwZ-IHR-hQ3CulkKtMSuteRQFfLZ6jihHThzZCg_UjnDt-4Wl_gIRf4zrZJs5JqaeuBhsfJ4W5GD6yGg3W7903gbvaxZPBjxIQQ7BgFDSkPS8oPispw4KLz56mdK-G6CIvLO6hHRrZHY0Q3tvJ6JxE=C63992E6',
    ],
    invalid: [
      'ATATT3xFfGF0K3irG5tKKi-6u-wwaXQFeGwZ-IHR-hQ3CulkKtMSuteRQFfLZ6jihHThzZCg_UjnDt-4Wl_gIRf4zrZJs5JqaeuBhsfJ4W5GD6yGg3W7903gbvaxZPBjxIQQ7BgFDSkPS8oPispw4KLz56mdK-G6CIvLO6hHRrZHY0Q3tvJ6JxE=C63992E7',
      'ATATT3xFfGF0K3irG5tKKi-6u-wwaXQFeGwZ-IHR-hQ3CulkKtMSuteRQFfLZ6jihHThzZCg_UjnDt-4Wl_gIRf4zrZJs5JqaeuBhsfJ4W5GD6yGg3W7903gbvaxZPBjxIQQ7BgFDSkPS8oPispw4KLz56mdK-G6CIvLO6hHRrZHY0Q3tvJ6JxE=c63992e6',
    ],
  },
  {
    checksum: 'azure-devops-legacy',
    valid: ['cfdgksmyyogbj6b6k7tvu6wfgotk453xxadybrrs22g6qekcaw3y'],
    invalid: ['cfdgksmyyogbj6b6k7tvu6wfgotk453xxadybrrs22g6qekcaw3a', 'dfdgksmyyogbj6b6k7tvu6wfgotk453xxadybrrs22g6qekcaw3y', 'cfdgksmyyogbj6b6k7tvu6wfgotk453xxadybrrs22g6qekcaw3', 'a'.repeat(52)],
  },
];

describe.each(VECTORS)('$checksum', ({ checksum, valid, invalid }) => {
  const fn = CHECKSUMS[checksum]!;
  it.each(valid)('accepts %s', (token) => expect(fn(token)).toBe(true));
  it.each(invalid)('rejects %s', (token) => expect(fn(token)).toBe(false));
});

describe('Azure DevOps legacy base32', () => {
  it('decodes 52 characters to 32 bytes and refuses characters outside a-z2-7', () => {
    expect(azureDevOpsBase32Decode('cfdgksmyyogbj6b6k7tvu6wfgotk453xxadybrrs22g6qekcaw3y')?.length).toBe(32);
    expect(azureDevOpsBase32Decode('cfdgksmyyogbj6b6k7tvu6wfgotk453xxadybrrs22g6qekcaw31')).toBeUndefined();
  });
});

describe('rules that embed a checksum', () => {
  const withChecksum = ALL_RULES.filter((d) => d.validators?.checksum);

  it('cover GitHub ghp_/gho_/ghu_/ghr_, npm, GitLab routable, Atlassian, Grafana, Vercel and Azure DevOps legacy', () => {
    const byRule = Object.fromEntries(withChecksum.map((d) => [d.id, d.validators!.checksum]));
    expect(byRule).toMatchObject({
      'github-pat-classic': 'crc32-base62',
      'github-oauth-token': 'crc32-base62',
      'github-app-user-token': 'crc32-base62',
      'github-refresh-token': 'crc32-base62',
      'npm-access-token': 'crc32-base62',
      'gitlab-pat-routable': 'crc32-base36',
      'atlassian-api-token': 'crc32-hex-upper',
      'grafana-service-account-token': 'crc32-le-hex',
      'vercel-token': 'crc32-base62',
      'azure-devops-pat-legacy': 'azure-devops-legacy',
    });
  });

  it('do not reject github_pat_ tokens on their unconfirmed checksum', () => {
    const fine = ALL_RULES.find((d) => d.id === 'github-fine-grained-pat')!;
    expect(fine.validators?.checksum).toBeUndefined();
  });

  it.each(withChecksum.map((d) => [d.id, d] as const))('%s does not report its first positive once one checksum character changes', (_, def) => {
    const compiled = compileRules([def]);
    const ex = def.examples.positive[0]!;
    const secret = ex.secret ?? ex.text;
    expect(scanText(compiled, ex.text, { path: 'a.txt' }).map((f) => f.secret)).toContain(secret);
    // Change the second-to-last character within its own alphabet (the very last one of a legacy
    // Azure DevOps token carries 4 ignored bits). Digits stay digits, letters keep their case.
    const at = secret.length - 2;
    const c = secret[at]!;
    const swapped = /[0-9]/.test(c) ? String((Number(c) + 1) % 10) : /[a-y]/.test(c) ? String.fromCharCode(c.charCodeAt(0) + 1) : c === 'z' ? 'a' : /[A-Y]/.test(c) ? String.fromCharCode(c.charCodeAt(0) + 1) : 'A';
    const mutated = ex.text.replace(secret, secret.slice(0, at) + swapped + secret.slice(at + 1));
    expect(scanText(compiled, mutated, { path: 'a.txt' })).toEqual([]);
  });
});
