/**
 * JSON Schema of a rule file (`rules/*.yaml`). `npm run gen` writes it to
 * `rules/rule-file.schema.json` for editors; a test fails when that copy is stale.
 */

const example = {
  oneOf: [
    { type: 'string', minLength: 1 },
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

/** Verify/revoke data are interpreted by @tokenward/revoke, which validates them in depth. */
const httpSpec = { type: 'object', description: 'Interpreted by @tokenward/revoke; see rules/README.md.' } as const;

export const ruleSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['id', 'title', 'severity', 'keywords', 'pattern', 'examples'],
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
    verify: httpSpec,
    revoke: httpSpec,
    tags: { type: 'array', items: { type: 'string' } },
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
