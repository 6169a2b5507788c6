import { Ajv, type ValidateFunction } from 'ajv';
import { LineCounter, parseDocument, type Document } from 'yaml';
import { describeAjvError, lineOf } from '@tokenward/engine';
import { UsageError } from './errors.js';

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
  lineOf(path: readonly (string | number)[]): number | undefined;
  /** Throws a SettingsFileError for `path` with its line. */
  fail(path: readonly (string | number)[], detail: string): never;
}

const validators = new WeakMap<object, ValidateFunction>();

/**
 * Parses YAML or JSON text (JSON is YAML) and validates it against a JSON Schema. The first
 * problem becomes one SettingsFileError naming the file, line and key: the same ajv → YAML-line
 * mapping rule files use (`describeAjvError`, `lineOf` from the engine).
 */
export function parseSettings<T>(text: string, file: string, schema: object): LocatedData<T> {
  const counter = new LineCounter();
  const doc: Document = parseDocument(text, { lineCounter: counter, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    const err = doc.errors[0]!;
    const line = err.linePos?.[0]?.line ?? counter.linePos(err.pos[0]).line;
    throw new SettingsFileError(file, `invalid ${/\.json$/i.test(file) ? 'JSON' : 'YAML'}: ${err.message.split('\n')[0]}`, line);
  }
  const data = (doc.toJS() ?? {}) as T;
  let validate = validators.get(schema);
  if (!validate) {
    validate = new Ajv({ allErrors: false, strict: false }).compile(schema);
    validators.set(schema, validate);
  }
  const located: LocatedData<T> = {
    data,
    file,
    lineOf: (path) => lineOf(doc, counter, [...path]),
    fail(path, detail) {
      throw new SettingsFileError(file, detail, lineOf(doc, counter, [...path]), keyPath(path) || undefined);
    },
  };
  if (!validate(data)) {
    const { path, detail } = describeAjvError(validate.errors![0]!);
    located.fail(path, detail);
  }
  return located;
}
