import { createRequire } from 'node:module';
import type { ValidateFunction } from 'ajv';
import type { Document, LineCounter } from 'yaml';
import { describeAjvError, lineOf } from '@tokenward/engine';
import { UsageError } from './errors.js';

// Loaded on first use: most runs have no settings file to parse, and yaml + ajv cost tens of
// milliseconds of start-up (a pre-commit scan's whole budget is 150 ms).
const load = createRequire(import.meta.url);
let yamlModule: typeof import('yaml') | undefined;
const yaml = (): typeof import('yaml') => (yamlModule ??= load('yaml') as typeof import('yaml'));

/** A problem in a user's settings file, naming the file, line and key (exit code 2 like any usage error). */
export class SettingsFileError extends UsageError {
  constructor(
    readonly file: string,
    readonly detail: string,
    readonly line?: number,
    readonly key?: string,
  ) {
    super(`${file}${line ? `:${line}` : ''}: ${key ? `key "${key}" ` : ''}${detail}`);
    this.name = 'SettingsFileError';
  }
}

/** `['allow', 2, 'pattern']` → `allow[2].pattern`: how a person would point at the key. */
export function keyPath(path: readonly (string | number)[]): string {
  return path.reduce<string>((acc, p) => (typeof p === 'number' ? `${acc}[${p}]` : acc ? `${acc}.${p}` : p), '');
}

/** A parsed YAML/JSON document that can still answer "which line is this key on?". */
export interface LocatedData<T> {
  data: T;
  file: string;
  lineOf: (path: readonly (string | number)[]) => number | undefined;
  /** Throws a SettingsFileError for `path` with its line. */
  fail(path: readonly (string | number)[], detail: string): never;
}

const validators = new WeakMap<object, ValidateFunction>();

/** The line of the key itself (`allowList:`), not of its value, when the key exists; else the
 * engine's lookup (nearest existing parent). */
function keyLine(doc: Document, counter: LineCounter, path: readonly (string | number)[]): number | undefined {
  const last = path[path.length - 1];
  if (typeof last === 'string') {
    const parent = path.length === 1 ? doc.contents : doc.getIn(path.slice(0, -1), true);
    if (yaml().isMap(parent)) {
      const pair = parent.items.find((p) => yaml().isScalar(p.key) && p.key.value === last);
      if (pair && yaml().isNode(pair.key) && pair.key.range) return counter.linePos(pair.key.range[0]).line;
    }
  }
  return lineOf(doc, counter, [...path]);
}

/**
 * Parses YAML or JSON text (JSON is YAML) and validates it against a JSON Schema. The first
 * problem becomes one SettingsFileError naming the file, line and key: the same ajv → YAML-line
 * mapping rule files use (`describeAjvError`, `lineOf` from the engine).
 */
export function parseSettings<T>(text: string, file: string, schema: object): LocatedData<T> {
  const counter = new (yaml().LineCounter)();
  const doc: Document = yaml().parseDocument(text, { lineCounter: counter, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    const err = doc.errors[0]!;
    const line = err.linePos?.[0]?.line ?? counter.linePos(err.pos[0]).line;
    throw new SettingsFileError(file, `invalid ${/\.json$/i.test(file) ? 'JSON' : 'YAML'}: ${err.message.split('\n')[0]}`, line);
  }
  const data = (doc.toJS() ?? {}) as T;
  let validate = validators.get(schema);
  if (!validate) {
    validate = new (load('ajv') as typeof import('ajv')).Ajv({ allErrors: false, strict: false }).compile(schema);
    validators.set(schema, validate);
  }
  const located: LocatedData<T> = {
    data,
    file,
    lineOf: (path) => keyLine(doc, counter, path),
    fail(path, detail) {
      throw new SettingsFileError(file, detail, keyLine(doc, counter, path), keyPath(path) || undefined);
    },
  };
  if (!validate(data)) {
    const { path, detail } = describeAjvError(validate.errors![0]!);
    located.fail(path, detail);
  }
  return located;
}
