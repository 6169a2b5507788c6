/**
 * The access map: for a token the provider accepts, who it belongs to and what it reaches, read
 * from documented read-only answers the rule names (`verify.access`). Facts are provider data,
 * never the secret: every value is scrubbed, stripped of control characters and shortened.
 */
import type { AccessFactSpec, AccessProbe, RuleDefinition } from '@tokenward/engine';
import { joinUrl } from './endpoints.js';
import { HttpError, type HttpClient } from './http.js';
import { checkTemplates, getPath, JSON_ERROR, parseResponse, ruleWhere, type ParsedResponse } from './steps.js';
import { renderTemplate, type TemplateVars } from './template.js';
import { scrub } from './scrub.js';

export interface AccessFact {
  name: string;
  label: string;
  /** A scalar, a list, or (for `items`) the items read. */
  value: string | number | boolean | string[];
  /** `items` facts: how many matched (at least this many when `truncated`). */
  count?: number;
  /** `items` facts with `group`: count per owner, largest first. */
  groups?: { name: string; count: number }[];
  /** More pages existed than were read. */
  truncated?: boolean;
  /** The value as shown: `14 repositories of acme`. */
  text: string;
}

export interface AccessMap {
  facts: AccessFact[];
  /** One line: `account octocat; scopes repo; can write to 14 repositories of acme`. */
  summary: string;
  /** Calls that failed (the facts they would have given are missing). Never the secret. */
  problems?: string[];
}

const MAX_TEXT = 200;
const MAX_LIST = 1000;

/** Provider text made safe to print: no control characters (terminal escapes), bounded length. */
function clean(value: string, secrets: readonly string[]): string {
  const plain = scrub(value, secrets)
    // eslint-disable-next-line no-control-regex
    .replace(/[\u0000-\u001f\u007f-\u009f]/g, ' ')
    .trim();
  return plain.length > MAX_TEXT ? `${plain.slice(0, MAX_TEXT - 1)}…` : plain;
}

const ONLY_SECRET: ReadonlySet<string> = new Set(['secret']);

/** Checks the templates of a rule's access probes (only `{{secret}}` exists there). */
export function checkAccess(rule: RuleDefinition): void {
  (rule.verify?.access ?? []).forEach((probe, i) => {
    const where = `${ruleWhere(rule)} field "verify.access.${i}"`;
    const templates = [...(probe.request ? [probe.request.path, ...Object.values(probe.request.headers ?? {})] : [])];
    for (const fact of Object.values(probe.facts)) for (const v of Object.values(fact.where ?? {})) if (typeof v === 'string') templates.push(v);
    checkTemplates(where, templates, ONLY_SECRET);
  });
}

const scalar = (v: unknown): v is string | number | boolean => typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean';

function shown(v: string | number | boolean, spec: AccessFactSpec, secrets: readonly string[]): string {
  const key = String(v);
  return clean(spec.values?.[key] ?? key, secrets);
}

const MAX_SHOWN = 10;

/**
 * `14 repositories of acme`, `5 repositories of acme (3), octocat (2)`, `100+ repositories`,
 * `2 organizations (acme, hf)`; without a noun the values themselves (`ABC Logistics Ltd`).
 */
function itemsText(items: readonly string[], count: number, truncated: boolean, noun: string | undefined, groups: { name: string; count: number }[] | undefined): string {
  const more = (shown: number, total: number) => (total > shown ? `, +${total - shown} more` : '');
  if (!noun) return items.length ? `${items.slice(0, MAX_SHOWN).join(', ')}${more(Math.min(items.length, MAX_SHOWN), count)}${truncated ? '+' : ''}` : '(none)';
  // The rules' nouns are regular English plurals (repositories, projects, organizations).
  const one = count === 1 && !truncated ? noun.replace(/ies$/, 'y').replace(/s$/, '') : noun;
  const n = `${count}${truncated ? '+' : ''} ${one}`;
  if (groups?.length === 1) return `${n} of ${groups[0]!.name}`;
  if (groups?.length)
    return `${n} of ${groups
      .slice(0, 3)
      .map((g) => `${g.name} (${g.count})`)
      .join(', ')}${groups.length > 3 ? `, +${groups.length - 3} more owners` : ''}`;
  return count && count <= 3 ? `${n} (${items.join(', ')})` : n;
}

interface Page {
  res: ParsedResponse;
}

function readFact(name: string, spec: AccessFactSpec, pages: Page[], vars: TemplateVars, secrets: readonly string[], truncated: boolean): AccessFact | undefined {
  const first = pages[0]!.res;
  const base = { name, label: spec.label };
  const asList = (v: string) =>
    spec.split
      ? v
          .split(spec.split)
          .map((s) => s.trim())
          .filter(Boolean)
      : undefined;
  if (spec.value !== undefined) return { ...base, value: spec.value, text: clean(spec.value, secrets) };
  if (spec.header !== undefined) {
    const raw = first.headers.get(spec.header);
    if (raw === null) return undefined;
    const list = asList(raw);
    if (list) return { ...base, value: list.map((x) => clean(x, secrets)), text: list.length ? list.map((x) => clean(x, secrets)).join(', ') : '(none)' };
    return { ...base, value: clean(raw, secrets), text: shown(raw, spec, secrets) };
  }
  /** A scalar or a list of scalars found in the body. */
  const valueFact = (v: unknown): AccessFact | undefined => {
    if (Array.isArray(v)) {
      const items = v.filter(scalar).map((x) => shown(x, spec, secrets));
      return { ...base, value: items, text: items.length ? items.join(', ') : '(none)' };
    }
    if (!scalar(v)) return undefined;
    const list = typeof v === 'string' ? asList(v) : undefined;
    if (list) return { ...base, value: list.map((x) => clean(x, secrets)), text: list.map((x) => clean(x, secrets)).join(', ') || '(none)' };
    return { ...base, value: typeof v === 'string' ? clean(v, secrets) : v, text: shown(v, spec, secrets) };
  };
  if (first.json === JSON_ERROR || first.json === undefined) return undefined;
  if (spec.json !== undefined) return valueFact(getPath(first.json, spec.json));
  // list: every page's array, filtered by `where`.
  const where = Object.entries(spec.where ?? {}).map(([path, want]) => [path, typeof want === 'string' ? renderTemplate(want, vars) : want] as const);
  const matched: unknown[] = [];
  for (const p of pages) {
    const arr = p.res.json === JSON_ERROR ? undefined : getPath(p.res.json, spec.list ?? '');
    if (!Array.isArray(arr)) return undefined;
    for (const item of arr) {
      if (where.every(([path, want]) => (typeof want === 'string' ? String(getPath(item, path)) === want : getPath(item, path) === want))) matched.push(item);
    }
  }
  // `pick` reads one item: none or several matching is no fact (never a guess).
  if (spec.pick !== undefined) return matched.length === 1 ? valueFact(getPath(matched[0], spec.pick)) : undefined;
  const items = matched
    .map((m) => getPath(m, spec.items!))
    .filter(scalar)
    .slice(0, MAX_LIST)
    .map((x) => clean(String(x), secrets));
  let groups: { name: string; count: number }[] | undefined;
  if (spec.group) {
    const counts = new Map<string, number>();
    for (const m of matched) {
      const g = getPath(m, spec.group);
      if (scalar(g)) counts.set(clean(String(g), secrets), (counts.get(clean(String(g), secrets)) ?? 0) + 1);
    }
    groups = [...counts].map(([n, count]) => ({ name: n, count })).sort((a, b) => b.count - a.count || a.name.localeCompare(b.name));
  }
  const fact: AccessFact = { ...base, value: items, count: matched.length, text: itemsText(items, matched.length, truncated, spec.noun, groups) };
  if (groups) fact.groups = groups;
  if (truncated) fact.truncated = true;
  return fact;
}

/** `<https://api.github.com/user/repos?page=2>; rel="next"` → that URL. */
export function nextLink(link: string | null): string | undefined {
  if (!link) return undefined;
  for (const part of link.split(',')) {
    const m = /<([^>]+)>\s*;\s*rel="?next"?/i.exec(part);
    if (m) return m[1];
  }
  return undefined;
}

export interface ReadAccessOptions {
  rule: RuleDefinition;
  secret: string;
  /** The verify step's last answer (facts of probes without a request). */
  verified: ParsedResponse;
  /** Effective base (origin and optional path prefix). */
  base: URL;
  http: HttpClient;
}

async function fetchPages(probe: AccessProbe, o: ReadAccessOptions, vars: TemplateVars): Promise<{ pages: Page[]; truncated: boolean }> {
  if (!probe.request) return { pages: [{ res: o.verified }], truncated: false };
  const headers = Object.fromEntries(Object.entries(probe.request.headers ?? {}).map(([k, v]) => [k, renderTemplate(v, vars)]));
  let url: URL | undefined = joinUrl(o.base, renderTemplate(probe.request.path, vars, encodeURIComponent));
  const pages: Page[] = [];
  const max = probe.pages ?? 1;
  while (url) {
    const res = parseResponse(await o.http.send({ method: 'GET', url, headers }, o.base.origin));
    if (res.status < 200 || res.status >= 300) throw new HttpError(`GET ${url.pathname} answered ${res.status}`, 'status', res.status);
    pages.push({ res });
    const next = nextLink(res.headers.get('link'));
    if (!next) return { pages, truncated: false };
    if (pages.length >= max) return { pages, truncated: true };
    url = new URL(next, url);
  }
  return { pages, truncated: false };
}

/** Reads every probe of the rule; a failed call costs its facts, never the others. */
export async function readAccess(o: ReadAccessOptions): Promise<AccessMap | undefined> {
  const probes = o.rule.verify?.access;
  if (!probes?.length) return undefined;
  const vars: TemplateVars = { secret: o.secret };
  const facts: AccessFact[] = [];
  const problems: string[] = [];
  for (const probe of probes) {
    let fetched: { pages: Page[]; truncated: boolean };
    try {
      fetched = await fetchPages(probe, o, vars);
    } catch (e) {
      problems.push(clean((e as Error).message, [o.secret]));
      continue;
    }
    for (const [name, spec] of Object.entries(probe.facts)) {
      const fact = readFact(name, spec, fetched.pages, vars, [o.secret], fetched.truncated);
      if (fact) facts.push(fact);
    }
  }
  const map: AccessMap = { facts, summary: facts.map((f) => `${f.label} ${f.text}`).join('; ') };
  if (problems.length) map.problems = problems;
  return map;
}
