/**
 * JS/TS context check on the syntax tree. Run only for a file that already has a candidate: it
 * confirms which string literals sit in a secret context (assigned to a secret-named identifier or
 * property, a secret header in a header object or setHeader call, an Authorization string) and
 * follows identifiers used there to the `const` literal they name. `process.env.X`,
 * `import.meta.env.X` and other member lookups are references and never resolve.
 *
 * Two parsers give the same ESTree shape to one visitor: plain JavaScript is read by espree
 * (ESLint's parser: acorn with JSX) and eslint-scope, about 40 ms to load; TypeScript files, and
 * JavaScript espree cannot read (Flow annotations, TypeScript syntax in a .js file), by
 * @typescript-eslint/parser, which costs about half a second to load because it loads TypeScript.
 */
import { createRequire } from 'node:module';
import { headerMeansSecret, nameMeansSecret } from './names.js';

interface AstNode {
  type: string;
  range: [number, number];
  [key: string]: unknown;
}

interface ScopeVariable {
  defs: Array<{ type: string; node: AstNode; parent?: AstNode | null }>;
  references: Array<{ isWrite(): boolean; init?: boolean }>;
}

interface ScopeManager {
  scopes: Array<{ references: Array<{ identifier: AstNode; resolved: ScopeVariable | null }> }>;
}

type VisitorKeys = Record<string, readonly string[] | undefined>;

interface ParseResult {
  ast: AstNode & { comments?: AstNode[] };
  scopeManager: ScopeManager | null;
  visitorKeys: VisitorKeys;
}

interface Espree {
  parse(code: string, options: Record<string, unknown>): AstNode & { comments?: AstNode[] };
  VisitorKeys: VisitorKeys;
  latestEcmaVersion: number;
}

type Analyze = (ast: AstNode, options: Record<string, unknown>) => ScopeManager;
type ParseForESLint = (code: string, options: Record<string, unknown>) => ParseResult;

interface JsParsers {
  espree: Espree;
  analyze: Analyze;
}

// Loaded on first use (most scans never need a parser), outside the syntax-error handling below:
// a module that cannot be loaded is an error, not a file to skip.
let jsParsers: JsParsers | undefined;
let tsParser: ParseForESLint | undefined;

const loadJsParsers = (): JsParsers =>
  (jsParsers ??= {
    espree: createRequire(import.meta.url)('espree') as Espree,
    analyze: (createRequire(import.meta.url)('eslint-scope') as { analyze: Analyze }).analyze,
  });

const loadTsParser = (): ParseForESLint => (tsParser ??= (createRequire(import.meta.url)('@typescript-eslint/parser') as { parseForESLint: ParseForESLint }).parseForESLint);

const OPTIONS = { range: true, loc: false, comment: true, tokens: false, ecmaVersion: 'latest', sourceType: 'module' } as const;

/** `read()`, or undefined when the code has a syntax error that parser cannot get past. */
function attempt(read: () => ParseResult): ParseResult | undefined {
  try {
    return read();
  } catch {
    return undefined;
  }
}

/** The syntax tree from the first parser that reads the file; undefined when none does (the lexical verdict stands). */
function parse(code: string, path: string): ParseResult | undefined {
  if (/\.[cm]?tsx?$/i.test(path)) {
    const ts = loadTsParser();
    // A .ts file may hold JSX: read it as TSX before giving up.
    return attempt(() => ts(code, { ...OPTIONS, jsx: /x$/i.test(path), filePath: path })) ?? attempt(() => ts(code, { ...OPTIONS, jsx: true }));
  }
  const { espree, analyze } = loadJsParsers();
  const plain = attempt(() => {
    const ast = espree.parse(code, { ...OPTIONS, ecmaFeatures: { jsx: true } });
    const scopeManager = analyze(ast, { ecmaVersion: espree.latestEcmaVersion, sourceType: 'module', childVisitorKeys: espree.VisitorKeys });
    return { ast, scopeManager, visitorKeys: espree.VisitorKeys };
  });
  if (plain) return plain;
  // Flow annotations or TypeScript syntax in a .js file: TypeScript's parser reads those.
  const ts = loadTsParser();
  return attempt(() => ts(code, { ...OPTIONS, jsx: true, filePath: path }));
}

export const JS_PATH = /\.(?:[cm]?[jt]sx?)$/i;

/** A string literal (or template part) in a secret context, by UTF-16 index of its content. */
export interface JsSecretLiteral {
  start: number;
  end: number;
  value: string;
  /** The name that makes it secret (identifier, property or header). */
  name: string;
  /** Reached through an identifier (`Bearer ${TOKEN}` → `const TOKEN = '…'`). */
  resolved: boolean;
}

export interface JsAnalysis {
  literals: JsSecretLiteral[];
  comments: Array<[number, number]>;
}

const AUTH_SCHEME = /^(?:bearer|token|bot|apikey|key)\s+/i;

function isNode(v: unknown): v is AstNode {
  return typeof v === 'object' && v !== null && typeof (v as AstNode).type === 'string' && Array.isArray((v as AstNode).range);
}

function propertyName(key: unknown, computed: unknown): string | undefined {
  if (!isNode(key)) return undefined;
  if (key.type === 'Identifier' && !computed) return key.name as string;
  if (key.type === 'PrivateIdentifier') return key.name as string;
  if (key.type === 'Literal' && typeof key.value === 'string') return key.value;
  return undefined;
}

function targetName(node: unknown): string | undefined {
  if (!isNode(node)) return undefined;
  if (node.type === 'Identifier') return node.name as string;
  if (node.type === 'MemberExpression') return propertyName(node.property, node.computed);
  return undefined;
}

export function analyzeJs(code: string, path: string): JsAnalysis | undefined {
  const result = parse(code, path);
  if (!result) return undefined;
  const resolvedBy = new Map<AstNode, ScopeVariable>();
  for (const scope of result.scopeManager?.scopes ?? []) {
    for (const ref of scope.references) if (ref.resolved) resolvedBy.set(ref.identifier, ref.resolved);
  }
  const literals: JsSecretLiteral[] = [];
  const keys = result.visitorKeys;

  const addLiteral = (start: number, end: number, value: string, name: string, resolved: boolean) => {
    // Authorization values carry a scheme ("Bearer …"): the secret is what follows it.
    const scheme = /authorization/i.test(name) ? AUTH_SCHEME.exec(value) : null;
    const skip = scheme ? scheme[0].length : 0;
    if (value.length - skip <= 0) return;
    literals.push({ start: start + skip, end, value: value.slice(skip), name, resolved });
  };

  /** A `const X = 'literal'` never reassigned: the literal X stands for. */
  const resolveIdentifier = (id: AstNode, name: string) => {
    const variable = resolvedBy.get(id);
    const def = variable?.defs[0];
    if (!variable || variable.defs.length !== 1 || def?.type !== 'Variable' || def.node.type !== 'VariableDeclarator') return;
    if (variable.references.some((r) => r.isWrite() && !r.init)) return;
    const init = def.node.init;
    if (isNode(init)) collect(init, name, true);
  };

  /** Collects the string pieces of a value expression that flows into a secret-named sink. */
  const collect = (value: unknown, name: string, resolved: boolean): void => {
    if (!isNode(value)) return;
    switch (value.type) {
      case 'Literal':
        if (typeof value.value === 'string') addLiteral(value.range[0] + 1, value.range[1] - 1, value.value, name, resolved);
        return;
      case 'TemplateLiteral': {
        const quasis = value.quasis as AstNode[];
        const exprs = value.expressions as AstNode[];
        quasis.forEach((q, i) => {
          const v = q.value as { raw: string; cooked: string | null };
          if (v.cooked) addLiteral(q.range[0] + 1, q.range[0] + 1 + v.raw.length, v.cooked, i === 0 ? name : `${name}-part`, resolved);
          if (exprs[i]) collect(exprs[i], name, resolved);
        });
        return;
      }
      case 'BinaryExpression':
        if (value.operator === '+') {
          collect(value.left, name, resolved);
          collect(value.right, name, resolved);
        }
        return;
      case 'LogicalExpression':
        // `process.env.TOKEN || 'fallback-secret'`: the fallback is hard-coded.
        collect(value.left, name, resolved);
        collect(value.right, name, resolved);
        return;
      case 'ConditionalExpression':
        collect(value.consequent, name, resolved);
        collect(value.alternate, name, resolved);
        return;
      case 'TSAsExpression':
      case 'TSSatisfiesExpression':
      case 'TSNonNullExpression':
      case 'JSXExpressionContainer':
        collect(value.expression, name, resolved);
        return;
      case 'Identifier':
        if (!resolved) resolveIdentifier(value, name);
        return;
      default:
        // Member lookups (process.env.X, config.token), calls and the rest are references.
        return;
    }
  };

  const sink = (name: string | undefined, value: unknown) => {
    if (name !== undefined && (nameMeansSecret(name) || headerMeansSecret(name))) collect(value, name, false);
  };

  const visit = (node: AstNode): void => {
    switch (node.type) {
      case 'VariableDeclarator':
        sink(targetName(node.id), node.init);
        break;
      case 'AssignmentExpression':
        if (node.operator === '=' || node.operator === '||=' || node.operator === '??=') sink(targetName(node.left), node.right);
        break;
      case 'AssignmentPattern':
        sink(targetName(node.left), node.right);
        break;
      case 'Property':
      case 'PropertyDefinition':
        sink(propertyName(node.key, node.computed), node.value);
        break;
      case 'JSXAttribute': {
        const n = node.name as AstNode;
        if (n.type === 'JSXIdentifier') sink(n.name as string, node.value);
        break;
      }
      case 'CallExpression':
      case 'NewExpression': {
        // headers.set('X-Api-Key', '…'), res.setHeader('Authorization', `Bearer …`)
        const args = node.arguments as AstNode[];
        if (args.length >= 2 && args[0]!.type === 'Literal' && typeof args[0]!.value === 'string') sink(args[0]!.value, args[1]);
        break;
      }
    }
    for (const key of keys[node.type] ?? []) {
      const child = node[key];
      if (Array.isArray(child)) {
        for (const c of child) if (isNode(c)) visit(c);
      } else if (isNode(child)) visit(child);
    }
  };
  visit(result.ast);
  // espree lists a `#!` line as a comment, TypeScript does not: left out, both parsers agree.
  const comments = (result.ast.comments ?? []).filter((c) => c.type !== 'Hashbang').map((c) => c.range);
  return { literals, comments };
}
