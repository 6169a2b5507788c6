/**
 * Runs a rule's HTTP steps: renders templates, sends, checks each response, extracts values for
 * the next step. One interpreter for verify and revoke.
 */
import type { HttpExtractor, HttpMatcher, HttpStep, RuleDefinition } from '@tokenward/engine';
import { effectiveBase, joinUrl, type EndpointOverrides } from './endpoints.js';
import { HttpError, type HttpClient, type HttpResponse } from './http.js';
import { jsonTemplates, renderJson, renderTemplate, templateNames, TemplateError, type TemplateVars } from './template.js';

export class SpecError extends Error {
  override name = 'SpecError';
}

/** Where a rule is defined, for messages about its verify/revoke data. */
export function ruleWhere(rule: RuleDefinition): string {
  const src = rule.source ? `${rule.source.file}${rule.source.line ? `:${rule.source.line}` : ''}: ` : '';
  return `${src}rule "${rule.id}"`;
}

/** Every template parses and names only values in `known`; `where` prefixes the error. */
export function checkTemplates(where: string, templates: readonly string[], known: ReadonlySet<string>): void {
  for (const t of templates) {
    let names: string[];
    try {
      names = templateNames(t);
    } catch (e) {
      throw new SpecError(`${where}: ${(e as Error).message}`);
    }
    for (const n of names) {
      if (!known.has(n)) throw new SpecError(`${where}: {{${n}}} is not known here (known: ${[...known].join(', ')})`);
    }
  }
}

/**
 * Checks that every template of `steps` refers only to values that exist when it is rendered: the
 * secret, the batch (`secrets`) and names extracted by earlier steps.
 */
export function checkSteps(rule: RuleDefinition, field: 'verify' | 'revoke', steps: readonly HttpStep[], batched: boolean): void {
  const known = new Set(batched ? ['secrets'] : ['secret']);
  steps.forEach((step, i) => {
    const where = `${ruleWhere(rule)} field "${field}.steps.${i}"`;
    const templates = [step.path, ...Object.values(step.headers ?? {}), ...Object.values(step.form ?? {}), ...(step.body ? [step.body] : []), ...jsonTemplates(step.json)];
    checkTemplates(where, templates, known);
    for (const h of Object.keys(step.headers ?? {})) {
      if (/^(host|content-length)$/i.test(h)) throw new SpecError(`${where}: header "${h}" is set by Tokenward`);
    }
    for (const [name, ex] of Object.entries(step.extract ?? {})) {
      for (const t of Object.values(ex.where ?? {})) {
        for (const n of templateNames(t)) if (!known.has(n)) throw new SpecError(`${where}: extract "${name}" uses unknown {{${n}}}`);
      }
      known.add(name);
    }
  });
  if (batched && steps.length !== 1) throw new SpecError(`${ruleWhere(rule)} field "${field}.batch": a batched revocation has exactly one step`);
}

/** Dotted path lookup (`a.b.0.c`); `""` is the value itself. */
export function getPath(value: unknown, path: string): unknown {
  if (path === '') return value;
  let cur: unknown = value;
  for (const part of path.split('.')) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[part];
  }
  return cur;
}

export interface ParsedResponse extends HttpResponse {
  /** Parsed JSON body; `undefined` when empty; `JSON_ERROR` when not JSON. */
  json: unknown;
}

export const JSON_ERROR = Symbol('malformed JSON');

export function parseResponse(res: HttpResponse): ParsedResponse {
  let json: unknown;
  if (res.text.trim() !== '') {
    try {
      json = JSON.parse(res.text);
    } catch {
      json = JSON_ERROR;
    }
  }
  return { ...res, json };
}

const asList = (m: HttpMatcher | HttpMatcher[] | undefined): HttpMatcher[] | undefined => (m === undefined ? undefined : Array.isArray(m) ? m : [m]);

/** True when the response satisfies one of the matchers (each: all its conditions). */
export function matches(res: ParsedResponse, matchers: HttpMatcher | HttpMatcher[] | undefined, fallback: (status: number) => boolean): boolean {
  const list = asList(matchers);
  if (!list) return fallback(res.status);
  return list.some((m) => {
    if (m.status && !m.status.includes(res.status)) return false;
    if (m.json) {
      if (res.json === JSON_ERROR || res.json === undefined) return false;
      for (const [path, expected] of Object.entries(m.json)) {
        if (getPath(res.json, path) !== expected) return false;
      }
    }
    return true;
  });
}

export const is2xx = (s: number) => s >= 200 && s < 300;

/** A step did not produce what the rule expects. `status` is the provider's HTTP status. */
export class StepFailure extends Error {
  override name = 'StepFailure';
  constructor(
    message: string,
    readonly status: number | undefined,
    readonly response?: ParsedResponse,
    /** `refused`: we decided not to go on (e.g. ambiguous match), nothing was changed by that step. */
    readonly kind: 'http' | 'response' | 'refused' = 'response',
  ) {
    super(message);
  }
}

function extract(res: ParsedResponse, name: string, ex: HttpExtractor, vars: TemplateVars): string {
  if (res.json === JSON_ERROR) throw new StepFailure(`response is not valid JSON (needed for "${name}")`, res.status, res);
  let holder: unknown = res.json;
  if (ex.list !== undefined) {
    const list = getPath(res.json, ex.list);
    if (!Array.isArray(list)) throw new StepFailure(`response has no list at "${ex.list || '(body)'}" (needed for "${name}")`, res.status, res);
    const where = Object.entries(ex.where ?? {}).map(([path, t]) => [path, renderTemplate(t, vars)] as const);
    const found = list.filter((item) => where.every(([path, want]) => getPath(item, path) === want));
    if (found.length === 0) throw new StepFailure(`no entry of the provider's list matches this token (needed for "${name}")`, res.status, res, 'refused');
    if (found.length > 1) {
      throw new StepFailure(`refused: ${found.length} entries of the provider's list match this token; revoking one could hit the wrong token`, res.status, res, 'refused');
    }
    holder = found[0];
  }
  const value = getPath(holder, ex.pick);
  if (typeof value !== 'string' && typeof value !== 'number') throw new StepFailure(`response has no "${ex.pick}" (needed for "${name}")`, res.status, res);
  return String(value);
}

export interface StepRun {
  /** Last response received. */
  last?: ParsedResponse;
  /** Every request made: method and URL without query (never the secret in a URL we show). */
  requests: { method: string; host: string; path: string; status?: number }[];
}

export interface RunStepsOptions {
  rule: RuleDefinition;
  origin: string;
  steps: readonly HttpStep[];
  vars: TemplateVars;
  http: HttpClient;
  endpoints?: EndpointOverrides;
  /** Called with each response before `expect` is checked; returning a value stops the run. */
  onResponse?: (res: ParsedResponse, index: number) => 'stop' | undefined;
}

/** Renders one step into a request. */
export function buildRequest(step: HttpStep, base: URL, vars: TemplateVars): { method: string; url: URL; headers: Record<string, string>; body?: string } {
  const path = renderTemplate(step.path, vars, encodeURIComponent);
  const url = joinUrl(base, path);
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(step.headers ?? {})) {
    const value = renderTemplate(v, vars);
    if (/[\r\n]/.test(value)) throw new TemplateError(`header "${k}" would contain a line break`);
    headers[k] = value;
  }
  const has = (name: string) => Object.keys(headers).some((h) => h.toLowerCase() === name);
  let body: string | undefined;
  if (step.json !== undefined) {
    body = JSON.stringify(renderJson(step.json, vars));
    if (!has('content-type')) headers['Content-Type'] = 'application/json';
  } else if (step.form) {
    body = new URLSearchParams(Object.entries(step.form).map(([k, v]): [string, string] => [k, renderTemplate(v, vars)])).toString();
    if (!has('content-type')) headers['Content-Type'] = 'application/x-www-form-urlencoded';
  } else if (step.body !== undefined) {
    body = renderTemplate(step.body, vars);
  }
  return body === undefined ? { method: step.method, url, headers } : { method: step.method, url, headers, body };
}

/** Runs the steps in order; throws `StepFailure` / `HttpError` on the first failed step. */
export async function runSteps(o: RunStepsOptions): Promise<StepRun> {
  const { base } = effectiveBase(o.rule, o.origin, o.endpoints);
  const vars: TemplateVars = { ...o.vars };
  const run: StepRun = { requests: [] };
  for (let i = 0; i < o.steps.length; i++) {
    const step = o.steps[i]!;
    const req = buildRequest(step, base, vars);
    const record: StepRun['requests'][number] = { method: req.method, host: req.url.host, path: req.url.pathname };
    run.requests.push(record);
    let raw: HttpResponse;
    try {
      raw = await o.http.send(req, base.origin);
    } catch (e) {
      if (e instanceof HttpError) {
        record.status = e.status;
        throw new StepFailure(e.message, e.status, undefined, 'http');
      }
      throw e;
    }
    const res = parseResponse(raw);
    record.status = res.status;
    run.last = res;
    if (o.onResponse?.(res, i) === 'stop') return run;
    if (!matches(res, step.expect, is2xx)) {
      throw new StepFailure(`${req.method} ${req.url.pathname} answered ${res.status}${describeError(res)}`, res.status, res);
    }
    for (const [name, ex] of Object.entries(step.extract ?? {})) vars[name] = extract(res, name, ex, vars);
  }
  return run;
}

/** A short reason from a provider's error body (`message`, `error`, `errors[0].message`). */
export function describeError(res: ParsedResponse): string {
  if (res.json === JSON_ERROR) return ' (body is not valid JSON)';
  const j = res.json as Record<string, unknown> | undefined;
  if (!j || typeof j !== 'object') return '';
  const first = Array.isArray(j.errors) ? (j.errors[0] as Record<string, unknown> | undefined) : undefined;
  const msg = j.message ?? j.error_description ?? j.error ?? first?.message ?? first?.detail;
  return typeof msg === 'string' ? `: ${msg.slice(0, 200)}` : '';
}
