/** How to write a line-end comment in a language, so "Ignore this line" can add `tokenward:allow`. */
export interface CommentSyntax {
  open: string;
  close?: string;
}

const HASH: CommentSyntax = { open: '#' };
const SLASHES: CommentSyntax = { open: '//' };
const DASHES: CommentSyntax = { open: '--' };
const XML: CommentSyntax = { open: '<!--', close: '-->' };
const BLOCK: CommentSyntax = { open: '/*', close: '*/' };

const BY_LANGUAGE: Record<string, CommentSyntax | null> = {
  javascript: SLASHES, javascriptreact: SLASHES, typescript: SLASHES, typescriptreact: SLASHES,
  java: SLASHES, c: SLASHES, cpp: SLASHES, csharp: SLASHES, go: SLASHES, rust: SLASHES, swift: SLASHES,
  kotlin: SLASHES, scala: SLASHES, dart: SLASHES, php: SLASHES, jsonc: SLASHES, groovy: SLASHES,
  python: HASH, ruby: HASH, perl: HASH, shellscript: HASH, sh: HASH, bash: HASH, zsh: HASH, fish: HASH,
  yaml: HASH, toml: HASH, dotenv: HASH, dockerfile: HASH, makefile: HASH, r: HASH, powershell: HASH,
  properties: HASH, ini: { open: ';' }, elixir: HASH, terraform: HASH, hcl: HASH, nix: HASH,
  sql: DASHES, lua: DASHES, haskell: DASHES,
  html: XML, xml: XML, markdown: XML, vue: XML, svelte: XML,
  css: BLOCK, scss: SLASHES, less: SLASHES,
  bat: { open: 'REM' }, latex: { open: '%' }, tex: { open: '%' }, erlang: { open: '%' }, clojure: { open: ';' }, lisp: { open: ';' },
  // JSON has no comments: the baseline is the way to accept a finding there.
  json: null,
};

const BY_EXTENSION: Record<string, string> = {
  js: 'javascript', mjs: 'javascript', cjs: 'javascript', jsx: 'javascriptreact', ts: 'typescript', mts: 'typescript',
  cts: 'typescript', tsx: 'typescriptreact', py: 'python', rb: 'ruby', sh: 'shellscript', bash: 'shellscript',
  zsh: 'shellscript', yml: 'yaml', yaml: 'yaml', toml: 'toml', env: 'dotenv', go: 'go', rs: 'rust', java: 'java',
  kt: 'kotlin', cs: 'csharp', c: 'c', h: 'c', cpp: 'cpp', hpp: 'cpp', php: 'php', sql: 'sql', lua: 'lua',
  html: 'html', xml: 'xml', md: 'markdown', css: 'css', scss: 'scss', json: 'json', jsonc: 'jsonc', tf: 'terraform',
  ini: 'ini', properties: 'properties', ps1: 'powershell', swift: 'swift', dart: 'dart', pl: 'perl', r: 'r',
};

/** The editor's language id when it is a known one, else one guessed from the file name. */
export function languageOf(languageId: string | undefined, path: string): string {
  if (languageId && languageId !== 'plaintext' && BY_LANGUAGE[languageId] !== undefined) return languageId;
  const base = path.slice(path.lastIndexOf('/') + 1).toLowerCase();
  if (base === 'dockerfile' || base.startsWith('dockerfile.')) return 'dockerfile';
  if (base === 'makefile') return 'makefile';
  if (base === '.env' || base.startsWith('.env.')) return 'dotenv';
  const ext = base.includes('.') ? base.slice(base.lastIndexOf('.') + 1) : '';
  return BY_EXTENSION[ext] ?? languageId ?? 'plaintext';
}

/** Comment syntax for a language; `null` when the language has no comments; `#` when unknown. */
export function commentSyntaxFor(language: string): CommentSyntax | null {
  const known = BY_LANGUAGE[language];
  return known === undefined ? HASH : known;
}

/** Text to append at the end of a line to allow a finding on it. */
export function allowComment(language: string): string | null {
  const syntax = commentSyntaxFor(language);
  if (!syntax) return null;
  return syntax.close ? ` ${syntax.open} tokenward:allow ${syntax.close}` : ` ${syntax.open} tokenward:allow`;
}
