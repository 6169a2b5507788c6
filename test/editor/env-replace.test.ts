/** The language-aware "Replace with environment variable" rewrite, language by language (pure). */
import { describe, expect, it } from 'vitest';
import { allowComment, envVarEdits, languageOf, suggestEnvName } from '@tokenward/language-server';

const T = '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';

/** Applies the edits of one line (plus a leading import line) the way an editor would. */
function rewrite(language: string, line: string, name = 'TOKEN', full = line): string | undefined {
  const start = line.indexOf(T);
  const edits = envVarEdits(full, 0, line, start, start + T.length, language, name);
  if (!edits) return undefined;
  let out = line;
  const prefix: string[] = [];
  for (const e of [...edits].sort((a, b) => b.start - a.start)) {
    if (e.start === 0 && e.end === 0 && e.newText.endsWith('\n')) prefix.push(e.newText);
    else out = out.slice(0, e.start) + e.newText + out.slice(e.end);
  }
  return prefix.join('') + out;
}

describe('envVarEdits', () => {
  it.each([
    ['typescript', `const a = \`Bearer ${T}\`;`, 'const a = `Bearer ${process.env.TOKEN}`;'],
    ['javascript', `x('${T}')`, 'x(process.env.TOKEN)'],
    ['javascript', `x("${T}:x-oauth")`, 'x(process.env.TOKEN + ":x-oauth")'],
    ['ruby', `auth = "token ${T}"`, 'auth = "token #{ENV["TOKEN"]}"'],
    ['php', `$t = 'pre${T}';`, `$t = 'pre' . getenv('TOKEN');`],
    ['kotlin', `val t = "token ${T}"`, 'val t = "token ${System.getenv("TOKEN")}"'],
    ['java', `String t = "${T}";`, 'String t = System.getenv("TOKEN");'],
    ['csharp', `var t = @"${T}";`, 'var t = Environment.GetEnvironmentVariable("TOKEN");'],
    ['rust', `let t = "${T}";`, 'let t = std::env::var("TOKEN").unwrap_or_default();'],
    ['shellscript', `curl -H "Authorization: token ${T}"`, 'curl -H "Authorization: token ${TOKEN}"'],
    ['dockerfile', `ENV GH_TOKEN=${T}`, 'ENV GH_TOKEN=${TOKEN}'],
    ['makefile', `TOKEN := ${T}`, 'TOKEN := $(TOKEN)'],
  ])('%s: %s', (language, line, expected) => {
    expect(rewrite(language, line)).toBe(expected);
  });

  it('python: a whole literal (with a prefix) becomes os.environ, and `import os` is added once', () => {
    expect(rewrite('python', `k = r"${T}"`)).toBe('import os\nk = os.environ["TOKEN"]');
    expect(rewrite('python', `k = "${T}"`, 'TOKEN', `import sys, os\nk = "${T}"`)).toBe('k = os.environ["TOKEN"]');
  });

  it('offers nothing where the value belongs (dotenv) or where comments and code cannot hold it (json)', () => {
    expect(rewrite('dotenv', `GITHUB_TOKEN=${T}`)).toBeUndefined();
    expect(rewrite('json', `{"token": "${T}"}`)).toBeUndefined();
  });
});

describe('names and comments', () => {
  it('suggests a variable name from the code, else from the provider', () => {
    expect(suggestEnvName(`const githubToken = "${T}"`, 21, 'GitHub')).toBe('GITHUB_TOKEN');
    expect(suggestEnvName(`  api.key: ${T}`, 11, 'GitHub')).toBe('KEY');
    expect(suggestEnvName(`headers: { Authorization: "token ${T}" }`, 33, 'Hugging Face')).toBe('HUGGING_FACE_TOKEN');
    expect(suggestEnvName(T, 0, 'GitHub')).toBe('GITHUB_TOKEN');
  });

  it('knows the comment syntax of a file, by language id or by name', () => {
    expect(allowComment(languageOf('plaintext', '/w/Dockerfile'))).toBe(' # tokenward:allow');
    expect(allowComment(languageOf(undefined, '/w/a.go'))).toBe(' // tokenward:allow');
    expect(allowComment(languageOf('css', '/w/a.css'))).toBe(' /* tokenward:allow */');
    expect(allowComment(languageOf('json', '/w/a.json'))).toBeNull();
    expect(allowComment(languageOf('lua', '/w/a.lua'))).toBe(' -- tokenward:allow');
  });
});
