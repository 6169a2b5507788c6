/**
 * "Replace with environment variable": rewrites the secret into the language's way of reading an
 * environment variable. Pure (strings in, edits out) so every language is unit-testable.
 */

/** One edit on the document, 0-based line/character (LSP coordinates). */
export interface LineEdit {
  line: number;
  start: number;
  end: number;
  newText: string;
}

interface LanguageEnv {
  /** Expression reading the variable. */
  read(name: string): string;
  /** String concatenation operator, when literals can be split around the expression. */
  concat?: string;
  /** Interpolation inside a literal opened by this quote, e.g. JS template literals. */
  interpolate?: Partial<Record<string, (expr: string) => string>>;
  /** Plain text substitution (`${NAME}`): shells, YAML, config files. */
  substitute?: boolean;
  /** Edit that makes `read` work (an import), when missing. */
  ensureImport?: (fullText: string) => LineEdit | undefined;
}

const dollarBrace = (name: string): string => `\${${name}}`;

const pythonImport = (text: string): LineEdit | undefined => {
  if (/^[ \t]*import[ \t]+(?:[\w.]+[ \t]*,[ \t]*)*os[ \t]*(?:,|#|$)/m.test(text)) return undefined;
  const lines = text.split('\n');
  let line = 0;
  // After a shebang, an encoding line and `from __future__` imports, which must stay first.
  while (line < lines.length && /^(#!|#.*coding[:=]|from __future__ import)/.test(lines[line]!)) line++;
  return { line, start: 0, end: 0, newText: 'import os\n' };
};

const LANGUAGES: Record<string, LanguageEnv> = {
  javascript: { read: (n) => `process.env.${n}`, concat: '+', interpolate: { '`': (e) => `\${${e}}` } },
  typescript: { read: (n) => `process.env.${n}`, concat: '+', interpolate: { '`': (e) => `\${${e}}` } },
  python: { read: (n) => `os.environ["${n}"]`, concat: '+', ensureImport: pythonImport },
  ruby: { read: (n) => `ENV["${n}"]`, concat: '+', interpolate: { '"': (e) => `#{${e}}` } },
  go: { read: (n) => `os.Getenv("${n}")`, concat: '+' },
  java: { read: (n) => `System.getenv("${n}")`, concat: '+' },
  kotlin: { read: (n) => `System.getenv("${n}")`, concat: '+', interpolate: { '"': (e) => `\${${e}}` } },
  csharp: { read: (n) => `Environment.GetEnvironmentVariable("${n}")`, concat: '+' },
  php: { read: (n) => `getenv('${n}')`, concat: '.' },
  rust: { read: (n) => `std::env::var("${n}").unwrap_or_default()` },
  swift: { read: (n) => `ProcessInfo.processInfo.environment["${n}"] ?? ""`, concat: '+' },
  shellscript: { read: dollarBrace, substitute: true },
  yaml: { read: dollarBrace, substitute: true },
  dockerfile: { read: dollarBrace, substitute: true },
  makefile: { read: (n) => `$(${n})`, substitute: true },
  plaintext: { read: dollarBrace, substitute: true },
};
const ALIASES: Record<string, string> = {
  javascriptreact: 'javascript', typescriptreact: 'typescript', vue: 'javascript', svelte: 'javascript',
  sh: 'shellscript', bash: 'shellscript', zsh: 'shellscript', powershell: 'plaintext', toml: 'plaintext',
  ini: 'plaintext', properties: 'plaintext', terraform: 'plaintext', hcl: 'plaintext', markdown: 'plaintext',
};

function languageEnv(language: string): LanguageEnv | undefined {
  return LANGUAGES[ALIASES[language] ?? language];
}

/** A dotenv file is where the value belongs: moving it out of there makes no sense. */
export function supportsEnvReplacement(language: string): boolean {
  return language !== 'dotenv' && language !== 'json' && languageEnv(language) !== undefined;
}

const toSnake = (s: string): string =>
  s
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/[^A-Za-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '')
    .toUpperCase();

/** Keys that name where a token goes (headers, URL parts), not what it is. */
const NOT_A_NAME = new Set(['AUTHORIZATION', 'AUTH', 'BEARER', 'HEADERS', 'HEADER', 'URL', 'URI', 'HREF', 'HOST', 'VALUE', 'DATA', 'BODY', 'X_API_KEY_HEADER']);

/**
 * A variable name from the code around the secret (`githubToken = "…"` → GITHUB_TOKEN), else from
 * the provider (GitHub → GITHUB_TOKEN).
 */
export function suggestEnvName(lineText: string, secretStart: number, provider: string): string {
  const before = lineText.slice(0, secretStart);
  const m = /([A-Za-z_][A-Za-z0-9_.-]*)["']?\s*(?::=|=>|=|:)\s*[@$]?["'`]?[^"'`=:]*$/.exec(before);
  const key = m ? toSnake(m[1]!.split('.').pop()!) : '';
  if (key && /^[A-Z_][A-Z0-9_]*$/.test(key) && key.length >= 3 && !NOT_A_NAME.has(key)) return key;
  const p = provider.replace(/[^A-Za-z0-9]+/g, '_').replace(/^_+|_+$/g, '').toUpperCase() || 'SECRET';
  return `${p}_TOKEN`;
}

/** The quoted literal around `[start, end)` on one line: quote positions and the quote itself. */
function enclosingLiteral(line: string, start: number, end: number): { open: number; close: number; quote: string } | undefined {
  for (let i = start - 1; i >= 0; i--) {
    const c = line[i]!;
    if (c !== '"' && c !== "'" && c !== '`') continue;
    if (line[i - 1] === '\\') continue;
    let j = end;
    while (j < line.length && !(line[j] === c && line[j - 1] !== '\\')) j++;
    if (j >= line.length) return undefined;
    // An opening quote has an even number of the same quotes before it on the line.
    const before = line.slice(0, i).split(c).length - 1;
    if (before % 2 !== 0) continue;
    return { open: i, close: j, quote: c };
  }
  return undefined;
}

/**
 * Edits replacing the secret at `[start, end)` of `lineText` (line `line`) with a read of `name`.
 * Returns undefined when the language has no safe rewrite.
 */
export function envVarEdits(fullText: string, line: number, lineText: string, start: number, end: number, language: string, name: string): LineEdit[] | undefined {
  const env = languageEnv(language);
  if (!env || !supportsEnvReplacement(language)) return undefined;
  const expr = env.read(name);
  const edits: LineEdit[] = [];
  const lit = enclosingLiteral(lineText, start, end);
  if (env.substitute) {
    if (lit && lit.quote === "'" && language === 'shellscript') {
      // Single quotes do not expand variables in a shell: switch the literal to double quotes.
      edits.push({ line, start: lit.open, end: lit.open + 1, newText: '"' });
      edits.push({ line, start, end, newText: expr });
      edits.push({ line, start: lit.close, end: lit.close + 1, newText: '"' });
    } else {
      edits.push({ line, start, end, newText: expr });
    }
    return edits;
  }
  if (!lit) {
    edits.push({ line, start, end, newText: expr });
  } else if (lit.open === start - 1 && lit.close === end) {
    // The literal is the secret alone: the whole literal becomes the expression.
    let open = lit.open;
    while (open > 0 && /[rRbBuUfF@$]/.test(lineText[open - 1]!) && !/[A-Za-z0-9_]/.test(lineText[open - 2] ?? ' ')) open--;
    edits.push({ line, start: open, end: lit.close + 1, newText: expr });
  } else if (env.interpolate?.[lit.quote]) {
    edits.push({ line, start, end, newText: env.interpolate[lit.quote]!(expr) });
  } else if (env.concat) {
    const q = lit.quote;
    const head = start > lit.open + 1 ? `${q} ${env.concat} ` : '';
    const tail = end < lit.close ? ` ${env.concat} ${q}` : '';
    // `"https://x:SECRET@host"` → `"https://x:" + EXPR + "@host"`; an empty side drops its quotes.
    let from = start;
    let to = end;
    let text = `${head}${expr}${tail}`;
    if (!head) {
      from = lit.open;
      text = `${expr}${tail}`;
    }
    if (!tail) {
      to = lit.close + 1;
      text = `${head}${expr}`;
    }
    edits.push({ line, start: from, end: to, newText: text });
  } else {
    return undefined;
  }
  const imp = env.ensureImport?.(fullText);
  if (imp) edits.unshift(imp);
  return edits;
}
