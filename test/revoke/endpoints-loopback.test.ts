import { describe, expect, it } from 'vitest';
import { parseEndpoints } from '@tokenward/revoke';

describe('endpoint overrides: plain http only to loopback', () => {
  it('accepts https anywhere and http to 127.0.0.0/8, ::1, localhost', () => {
    for (const u of ['https://ghe.example.com/api/v3', 'http://127.0.0.1:8080', 'http://127.5.6.7', 'http://[::1]:9', 'http://localhost:1']) {
      expect(() => parseEndpoints({ github: u })).not.toThrow();
    }
  });
  it('refuses clear text to any other host, whoever configured it', () => {
    for (const u of ['http://evil.example.com', 'http://10.0.0.1', 'http://127.0.0.1.evil.example.com']) {
      expect(() => parseEndpoints({ github: u })).toThrow(/plain http/);
    }
  });
});
