/**
 * JSON Schema of a rule file (`rules/*.yaml`). `npm run gen` writes it to
 * `rules/rule-file.schema.json` for editors; a test fails when that copy is stale.
 */

import { CONTEXT_HANDLER_NAMES } from './context/handler-names.js';
import { KEY_STORE_DETECTORS } from './key-stores.js';

const example = {
  oneOf: [
    { type: 'string', minLength: 1 },
    {
      type: 'object',
      additionalProperties: false,
      required: ['base64'],
      description: 'Binary content (examples of detector rules); a positive\'s secret is this base64 text.',
      properties: { base64: { type: 'string', minLength: 4, pattern: '^[A-Za-z0-9+/]+={0,2}$' } },
    },
    {
      type: 'object',
      additionalProperties: false,
      required: ['text'],
      properties: {
        text: { type: 'string', minLength: 1 },
        secret: { type: 'string', minLength: 1, description: 'Exact secret expected (positives). Default: the whole text.' },
      },
    },
  ],
} as const;

/*
 * Verify/revoke data, interpreted by @tokenward/revoke (see rules/README.md, "Verify and revoke").
 * Templates (`{{secret}}`, `{{name|first:8}}`) are checked there, against the steps' extractors.
 */
const httpMatcher = {
  type: 'object',
  additionalProperties: false,
  minProperties: 1,
  properties: {
    status: { type: 'array', minItems: 1, items: { type: 'integer', minimum: 100, maximum: 599 } },
    json: {
      type: 'object',
      minProperties: 1,
      description: 'Dotted path in the JSON response → the value it must equal.',
      additionalProperties: { type: ['string', 'number', 'boolean', 'null'] },
    },
  },
} as const;
const httpMatchers = { oneOf: [httpMatcher, { type: 'array', minItems: 1, items: httpMatcher }] } as const;
const stringMap = { type: 'object', additionalProperties: { type: 'string' } } as const;
const httpStep = {
  type: 'object',
  additionalProperties: false,
  required: ['method', 'path'],
  properties: {
    method: { enum: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] },
    path: { type: 'string', pattern: '^/', description: 'Path (and query) on the origin; template.' },
    headers: stringMap,
    json: { description: 'JSON body; every string in it is a template ("{{secrets}}" alone = the batch array).' },
    form: { ...stringMap, description: 'application/x-www-form-urlencoded body; values are templates.' },
    body: { type: 'string', description: 'Raw body template.' },
    expect: { ...httpMatchers, description: 'What a successful response looks like (default: any 2xx).' },
    extract: {
      type: 'object',
      propertyNames: { pattern: '^[a-z][A-Za-z0-9_]*$' },
      additionalProperties: {
        type: 'object',
        additionalProperties: false,
        required: ['pick'],
        properties: {
          list: { type: 'string', description: 'Dotted path of an array in the response ("" = the body).' },
          where: { ...stringMap, description: 'Item field (dotted path) → template it must equal; exactly one item may match.' },
          pick: { type: 'string', minLength: 1, description: 'Dotted path of the value (in the matched item, else in the body).' },
        },
      },
    },
  },
  not: { anyOf: [{ required: ['json', 'form'] }, { required: ['json', 'body'] }, { required: ['form', 'body'] }] },
} as const;
const httpOrigin = { type: 'string', pattern: '^https://[^/?#]+$', description: 'https://host[:port] the steps are sent to.' } as const;
/*
 * Access map: what a live token belongs to and reaches, read from documented read-only answers
 * (the verify step's own answer, or further GETs to the same origin). Interpreted by @tokenward/revoke.
 */
const dottedPath = { type: 'string', description: 'Dotted path in the JSON body ("" = the body).' } as const;
const accessFact = {
  type: 'object',
  additionalProperties: false,
  required: ['label'],
  properties: {
    label: { type: 'string', minLength: 1, description: 'Shown before the value, e.g. "can write to".' },
    json: { ...dottedPath, minLength: 1, description: 'Dotted path of a scalar or a list of scalars.' },
    header: { type: 'string', pattern: '^[A-Za-z0-9-]+$', description: 'Response header.' },
    value: { type: 'string', minLength: 1, description: 'A constant the rule itself knows (e.g. "live").' },
    list: { ...dottedPath, description: 'Dotted path of an array ("" = the body).' },
    where: {
      type: 'object',
      minProperties: 1,
      description: 'With list: item field → value it must equal (strings are templates).',
      additionalProperties: { type: ['string', 'number', 'boolean'] },
    },
    pick: { type: 'string', minLength: 1, description: 'With list: the one matching item\'s value at this path.' },
    items: { type: 'string', minLength: 1, description: 'With list: every matching item\'s value at this path (shown as a count).' },
    group: { type: 'string', minLength: 1, description: 'With items: path grouping items by owner.' },
    noun: { type: 'string', minLength: 1, description: 'With items: what the items are ("repositories").' },
    split: { type: 'string', minLength: 1, description: 'Split a string value into a list.' },
    values: { type: 'object', additionalProperties: { type: 'string' }, description: 'Display text per value.' },
  },
  oneOf: [
    { required: ['json'], not: { anyOf: [{ required: ['header'] }, { required: ['value'] }, { required: ['list'] }] } },
    { required: ['header'], not: { anyOf: [{ required: ['json'] }, { required: ['value'] }, { required: ['list'] }] } },
    { required: ['value'], not: { anyOf: [{ required: ['json'] }, { required: ['header'] }, { required: ['list'] }] } },
    {
      required: ['list'],
      not: { anyOf: [{ required: ['json'] }, { required: ['header'] }, { required: ['value'] }, { required: ['pick', 'items'] }] },
      anyOf: [{ required: ['pick'] }, { required: ['items'] }],
    },
  ],
} as const;
const accessProbe = {
  type: 'object',
  additionalProperties: false,
  required: ['facts'],
  properties: {
    request: {
      type: 'object',
      additionalProperties: false,
      required: ['method', 'path'],
      description: 'A further read-only call to the same origin; without it the facts come from the verify answer.',
      properties: {
        method: { enum: ['GET'] },
        path: { type: 'string', pattern: '^/', description: 'Path (and query) on the origin; template.' },
        headers: stringMap,
      },
    },
    pages: { type: 'integer', minimum: 1, maximum: 10, description: 'Pages to follow through Link rel="next" (default 1).' },
    facts: {
      type: 'object',
      minProperties: 1,
      propertyNames: { pattern: '^[a-z][A-Za-z0-9_]*$' },
      additionalProperties: accessFact,
    },
  },
} as const;
const verifySpec = {
  type: 'object',
  additionalProperties: false,
  required: ['origin', 'steps'],
  properties: {
    origin: httpOrigin,
    steps: { type: 'array', minItems: 1, items: httpStep },
    active: { ...httpMatchers, description: "Last step's response when the token works (default: any 2xx)." },
    inactive: { ...httpMatchers, description: 'Any response meaning the token is revoked or invalid (default: 401).' },
    note: { type: 'string' },
    access: { type: 'array', minItems: 1, items: accessProbe, description: 'What a live token belongs to and reaches (read-only).' },
  },
} as const;
const revokeSpec = {
  type: 'object',
  additionalProperties: false,
  required: ['origin', 'steps'],
  properties: {
    origin: httpOrigin,
    steps: { type: 'array', minItems: 1, items: httpStep },
    batch: {
      type: 'object',
      additionalProperties: false,
      required: ['max'],
      properties: { max: { type: 'integer', minimum: 1, maximum: 10000, description: 'Secrets per request ({{secrets}}).' } },
    },
    effect: { type: 'string', minLength: 1, description: 'What happens, shown in the plan.' },
    docs: { type: 'string', pattern: '^https://' },
  },
} as const;

export const ruleSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['id', 'title', 'severity', 'examples'],
  // A pattern rule has keywords and a pattern; a detector rule has neither.
  oneOf: [{ required: ['keywords', 'pattern'], not: { required: ['detector'] } }, { required: ['detector'], not: { anyOf: [{ required: ['keywords'] }, { required: ['pattern'] }] } }],
  properties: {
    id: { type: 'string', pattern: '^[a-z0-9][a-z0-9.-]*$', description: 'Unique kebab-case id.' },
    provider: { type: 'string', minLength: 1, description: 'Overrides the file-level provider.' },
    title: { type: 'string', minLength: 1 },
    description: { type: 'string' },
    severity: { enum: ['critical', 'high', 'medium', 'low'] },
    confidence: { enum: ['high', 'medium', 'low'], description: 'Default: high with a checksum, else medium.' },
    keywords: {
      type: 'array',
      minItems: 1,
      items: { type: 'string', minLength: 2 },
      description: 'Prefilter literals, matched case-insensitively; the pattern only runs near them.',
    },
    pattern: { type: 'string', minLength: 1, description: 'JavaScript regular expression.' },
    flags: { type: 'string', pattern: '^[imsu]*$' },
    secretGroup: {
      oneOf: [{ type: 'integer', minimum: 0 }, { type: 'string', minLength: 1 }],
      description: 'Group holding the secret (default: named group "secret", else 1, else 0).',
    },
    window: {
      type: 'object',
      additionalProperties: false,
      properties: {
        before: { type: 'integer', minimum: 0, maximum: 65536 },
        after: { type: 'integer', minimum: 0, maximum: 65536 },
      },
    },
    validators: {
      type: 'object',
      additionalProperties: false,
      properties: {
        length: {
          type: 'object',
          additionalProperties: false,
          properties: { min: { type: 'integer', minimum: 1 }, max: { type: 'integer', minimum: 1 } },
        },
        charset: { type: 'string', minLength: 1, description: 'Regex character-class body, e.g. A-Za-z0-9_' },
        checksum: { type: 'string', minLength: 1 },
        entropy: { type: 'number', minimum: 0, maximum: 8 },
      },
    },
    examples: {
      type: 'object',
      additionalProperties: false,
      required: ['positive', 'negative'],
      properties: {
        positive: { type: 'array', minItems: 2, items: example },
        negative: { type: 'array', minItems: 1, items: example },
      },
    },
    rotate: {
      type: 'object',
      additionalProperties: false,
      required: ['steps', 'url'],
      properties: {
        steps: { type: 'string', minLength: 1 },
        url: { type: 'string', pattern: '^https://' },
      },
    },
    pair: {
      type: 'object',
      additionalProperties: false,
      required: ['name', 'pattern'],
      description: 'Second part of a paired credential, searched near each match and reported in the same finding.',
      properties: {
        name: { type: 'string', pattern: '^[A-Za-z][A-Za-z0-9]*$', description: 'Key in Finding.parts, e.g. clientId.' },
        pattern: { type: 'string', minLength: 1, description: 'JavaScript regex; the value is group "value", else 1, else 0.' },
        flags: { type: 'string', pattern: '^[imsu]*$' },
        window: {
          type: 'object',
          additionalProperties: false,
          properties: {
            before: { type: 'integer', minimum: 0, maximum: 65536 },
            after: { type: 'integer', minimum: 0, maximum: 65536 },
          },
        },
        required: { type: 'boolean', description: 'Drop the match when no partner is found (default false).' },
      },
    },
    allow: {
      type: 'array',
      description: 'Matches this rule does not report (documented placeholders, fixtures).',
      items: {
        type: 'object',
        additionalProperties: false,
        properties: {
          patterns: { type: 'array', items: { type: 'string', minLength: 1 }, description: 'Regexes tested against target.' },
          flags: { type: 'string', pattern: '^[imsu]*$', description: 'Flags for patterns.' },
          target: { enum: ['secret', 'match', 'line'], description: 'Default: secret.' },
          stopwords: { type: 'array', items: { type: 'string', minLength: 1 }, description: 'Case-insensitive substrings of the secret.' },
          paths: { type: 'array', items: { type: 'string', minLength: 1 }, description: 'Regexes tested against the source path.' },
          condition: { enum: ['or', 'and'], description: 'Default or: any criterion allows.' },
        },
      },
    },
    verify: verifySpec,
    revoke: revokeSpec,
    tags: { type: 'array', items: { type: 'string' }, description: 'Free-form labels; they change no behaviour.' },
    detector: {
      enum: [...KEY_STORE_DETECTORS],
      description: 'Structural detector recognising whole files (key stores, DER private keys) instead of keywords and a pattern.',
    },
    context: { enum: [...CONTEXT_HANDLER_NAMES], description: 'Context handler that extracts and judges the matches of a generic rule (confidence per finding).' },
  },
} as const;

export const ruleFileSchema = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  $id: 'https://tokenward.dev/schemas/rule-file.schema.json',
  title: 'Tokenward rule file',
  type: 'object',
  additionalProperties: false,
  required: ['provider', 'rules'],
  properties: {
    provider: { type: 'string', minLength: 1, description: 'Provider name shown in findings.' },
    docs: { type: 'string', pattern: '^https://', description: 'Provider documentation about its tokens.' },
    rules: { type: 'array', minItems: 1, items: ruleSchema },
  },
} as const;
