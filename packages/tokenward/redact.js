// `import { createRedactor } from 'tokenward/redact'`: mask secrets as logs are written, with the
// scanner's own detectors (strings, Node streams, a pino hook, a winston format).
export * from '@tokenward/redact';
