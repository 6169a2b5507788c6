/**
 * Templates in verify/revoke steps: `{{secret}}`, `{{keyId}}`, `{{secret|first:8}}...{{secret|last:4}}`.
 * Values are the secret, the batch (`secrets`) and values extracted from earlier responses.
 */

export type TemplateVars = Record<string, string | readonly string[]>;

const PLACEHOLDER = /\{\{\s*([A-Za-z][A-Za-z0-9_]*)((?:\s*\|\s*[a-z0-9]+(?::\d+)?)*)\s*\}\}/g;
const FILTERS = new Set(['first', 'last', 'base64', 'urlencode']);

export class TemplateError extends Error {
  override name = 'TemplateError';
}

interface Filter {
  name: string;
  arg?: number;
}

function parseFilters(text: string): Filter[] {
  return text
    .split('|')
    .map((f) => f.trim())
    .filter(Boolean)
    .map((f) => {
      const [name, arg] = f.split(':');
      if (!FILTERS.has(name!)) throw new TemplateError(`unknown template filter "${name}" (known: ${[...FILTERS].join(', ')})`);
      if ((name === 'first' || name === 'last') && arg === undefined) throw new TemplateError(`filter "${name}" needs a length, e.g. ${name}:4`);
      return arg === undefined ? { name: name! } : { name: name!, arg: Number(arg) };
    });
}

function applyFilter(value: string, f: Filter): string {
  switch (f.name) {
    case 'first':
      return value.slice(0, f.arg);
    case 'last':
      return value.slice(-f.arg!);
    case 'base64':
      return Buffer.from(value, 'utf8').toString('base64');
    case 'urlencode':
      return encodeURIComponent(value);
    default:
      throw new TemplateError(`unknown template filter "${f.name}"`);
  }
}

/** Names a template refers to (for checking a rule before anything is sent). */
export function templateNames(template: string): string[] {
  const names: string[] = [];
  for (const m of template.matchAll(PLACEHOLDER)) {
    parseFilters(m[2] ?? '');
    names.push(m[1]!);
  }
  // A `{{` that is not a valid placeholder is a typo, not literal text.
  const stripped = template.replace(PLACEHOLDER, '');
  if (stripped.includes('{{') || stripped.includes('}}')) throw new TemplateError(`malformed placeholder in "${template}"`);
  return names;
}

/** Renders a template; `encode` is applied to every substituted value (URL paths encode them). */
export function renderTemplate(template: string, vars: TemplateVars, encode: (v: string) => string = (v) => v): string {
  return template.replace(PLACEHOLDER, (_all, name: string, filters: string) => {
    const value = vars[name];
    if (value === undefined) throw new TemplateError(`no value for {{${name}}}`);
    if (typeof value !== 'string') throw new TemplateError(`{{${name}}} is a list: use it alone as a JSON value`);
    let out = value;
    for (const f of parseFilters(filters)) out = applyFilter(out, f);
    return encode(out);
  });
}

/** A JSON body: strings are templates; a string that is exactly `{{secrets}}` becomes the array. */
export function renderJson(value: unknown, vars: TemplateVars): unknown {
  if (typeof value === 'string') {
    const whole = /^\{\{\s*([A-Za-z][A-Za-z0-9_]*)\s*\}\}$/.exec(value);
    if (whole) {
      const v = vars[whole[1]!];
      if (Array.isArray(v)) return [...v];
    }
    return renderTemplate(value, vars);
  }
  if (Array.isArray(value)) return value.map((v) => renderJson(v, vars));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, renderJson(v, vars)]));
  }
  return value;
}

/** Every template string inside a JSON body. */
export function jsonTemplates(value: unknown, out: string[] = []): string[] {
  if (typeof value === 'string') out.push(value);
  else if (Array.isArray(value)) for (const v of value) jsonTemplates(v, out);
  else if (value !== null && typeof value === 'object') for (const v of Object.values(value)) jsonTemplates(v, out);
  return out;
}
