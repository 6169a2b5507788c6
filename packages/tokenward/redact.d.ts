export * from '@tokenward/redact';
