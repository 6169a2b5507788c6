import { describe, expect, it } from 'vitest';
import { compileRule, compileRules, parseRuleFile, RuleCompileError, RuleFileError, scanText, type RuleDefinition } from '@tokenward/engine';
import { loadRuleDefinitions } from '@tokenward/project';

const compiled = compileRules(loadRuleDefinitions());
const scan = (text: string, path = 'app.txt') => scanText(compiled, text, { path }).map((f) => [f.ruleId, f.secret]);
const secrets = (text: string, path = 'app.txt') => scanText(compiled, text, { path }).map((f) => f.secret);

describe('context handlers are typed', () => {
  const rule = (context: string) => ['provider: Generic', 'rules:', '  - id: my-generic', '    title: T', '    severity: high', `    context: ${context}`, "    keywords: ['pass']", "    pattern: 'pass'", '    examples:', '      positive: [a, b]', '      negative: [c]'].join('\n');
  it('a misspelt handler name is an error naming the file and field, not a silently inactive rule', () => {
    expect(() => parseRuleFile(rule('assigment'), 'rules/my.yaml')).toThrow(RuleFileError);
    expect(() => parseRuleFile(rule('assigment'), 'rules/my.yaml')).toThrow(/rules\/my\.yaml:\d+: rule "my-generic" field "context"/);
    expect(parseRuleFile(rule('assignment'), 'rules/my.yaml')[0]!.context).toBe('assignment');
    const def = { id: 'x', provider: 'G', title: 'T', severity: 'high', keywords: ['pass'], pattern: 'pass', context: 'asignment', examples: { positive: [], negative: [] } } as unknown as RuleDefinition;
    expect(() => compileRule(def, 0)).toThrow(RuleCompileError);
  });
});

describe('generic candidates stay quiet on', () => {
  it('test and demo values, known examples and placeholders', () => {
    for (const v of ['letmein', 'admin', 'password123', 'changeme', 'AKIAIOSFODNN7EXAMPLE', 'FAKE-7f3a9c2e1b', 'DONOTUSE8f3a9c2e', '00000000000000000000', 'your-api-key-here', 'xxxxxxxx', '<password>', '${DB_PASSWORD}', '%s', 'secret!!!']) {
      expect(secrets(`password = "${v}"\n`, 'config.py'), v).toEqual([]);
    }
  });

  it('references, type annotations and identifiers', () => {
    expect(scan('private_key: ed25519.Ed25519PrivateKey\n', 'keys.py')).toEqual([]);
    expect(scan('expectedPassword = user.password\n', 'test_login.py')).toEqual([]);
    expect(scan('  submitNewPassword: RESET_PASSWORD_V2_SUBMIT,\n', 'routes.js')).toEqual([]);
    expect(scan('password: String!\n', 'schema.graphql')).toEqual([]);
    expect(scan('PASSWORD = os.environ["DB_PASSWORD"]\n', 'settings.py')).toEqual([]);
    expect(scan('Passwd=`awk \'{print $2}\' creds.txt`\n', 'deploy.sh')).toEqual([]);
    expect(scan('password: "$2a$08$NO9tkFLCoSqX1c5wk3s7z.JfxaVMKA.m7zUDdDwEquo4rvzimQeJm"\n', 'users.ts')).toEqual([]);
  });

  it('an empty value does not take the next line', () => {
    expect(scan('password=\nusername=deploy-Xq7vR2mK9\n', 'app.env')).toEqual([]);
    expect(scan('DB_PASSWORD=\nDB_HOST=db-7f3a9c2e.internal\n', '.env')).toEqual([]);
  });

  it('jsonwebtoken in prose, a JWT after Basic, a truncated look-alike of a checksummed family', () => {
    expect(scan('Add the `io.jsonwebtoken:jjwt-jackson` dependency.\n', 'README.md')).toEqual([]);
    expect(scan('Authorization: Basic eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ1c2VyOmFkbWluIn0.c2lnbmF0dXJlMTIz\n').filter(([id]) => id !== 'jwt')).toEqual([]);
    expect(scan('token = "ghp_7Lm2Xv9Rt4Kp7Wn3Bs8Q"\n', 'a.py')).toEqual([]);
    expect(scan('HF_TOKEN = "hf_Xq7vR2mK9pL4Tz8Wn3Bs"\n', 'a.py')).toEqual([]);
  });
});

describe('values end at their real boundary', () => {
  it('a closing quote, ), ], & and whitespace end a value', () => {
    expect(secrets('[![cov](https://ci.example.org/api/status?access_token=Hk3n8Qz2Lr7Vx5Tp9Wm4)](https://ci.example.org/app)\n', 'README.md')).toEqual(['Hk3n8Qz2Lr7Vx5Tp9Wm4']);
    expect(secrets('GET /oauth/callback?code=abc&access_token=Hk3n8Qz2Lr7Vx5Tp9Wm4&state=Zq8Lm2Xv9Rt4\n', 'access.log')).toEqual(['Hk3n8Qz2Lr7Vx5Tp9Wm4']);
    expect(secrets("connect(user='app', password='Xq7vR2mK9pL4')\n", 'db.py')).toEqual(['Xq7vR2mK9pL4']);
    expect(secrets('creds = [password: "Xq7vR2mK9pL4"]\n', 'a.groovy')).toEqual(['Xq7vR2mK9pL4']);
    expect(secrets('DB_PASSWORD=Xq7vR2mK9pL4 DB_USER=app ./run.sh\n', 'run.sh')).toEqual(['Xq7vR2mK9pL4']);
  });
});

describe('a bare Token: header and scheme words', () => {
  it('finds the credential after any scheme word and under a bare Token header', () => {
    expect(secrets("curl -H 'Authorization: Api-Token dt0c01a9f3e5b7c2d4f6a8e0b1c3d5e7f9' https://x.example\n", 'x.sh')).toEqual(['dt0c01a9f3e5b7c2d4f6a8e0b1c3d5e7f9']);
    expect(secrets('Authorization: Splunk 7b2e4c6a-9d1f-4e3b-8a5c-0f2d4b6e8a1c\n')).toEqual(['7b2e4c6a-9d1f-4e3b-8a5c-0f2d4b6e8a1c']);
    expect(secrets("curl -H 'Token: Qz7Lm3Xv9Rt2Kp5Wn8Bs4Td' https://x.example/api\n", 'x.sh')).toEqual(['Qz7Lm3Xv9Rt2Kp5Wn8Bs4Td']);
  });
});

describe('confidence and severity of generic findings', () => {
  it('a low-confidence generic finding never shows severity high', () => {
    const found = scanText(compiled, 'password: "kqnwzf"\napi_key: "Xq7vR2mK9pL4Tz8Wn3Bs"\n', { path: 'app.yaml' });
    expect(found.map((f) => [f.secret, f.confidence, f.severity])).toEqual([
      ['kqnwzf', 'low', 'medium'],
      ['Xq7vR2mK9pL4Tz8Wn3Bs', 'medium', 'high'],
    ]);
  });

  it('a value in a test file is low confidence', () => {
    const [f] = scanText(compiled, 'api_key = "Xq7vR2mK9pL4Tz8Wn3Bs"\n', { path: 'tests/test_client.py' });
    expect(f).toMatchObject({ confidence: 'low', severity: 'medium' });
  });
});
