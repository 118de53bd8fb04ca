import { describe, expect, it } from 'vitest';
import { readConfig } from '../../server/config';
import { cacheControl, resolveStaticPath } from '../../server/static-files';

describe('static file paths', () => {
  const root = '/srv/app';
  it('maps ordinary paths inside the root', () => {
    expect(resolveStaticPath(root, '/index.html')).toBe('/srv/app/index.html');
    expect(resolveStaticPath(root, '/assets/a%20b.js')).toBe('/srv/app/assets/a b.js');
  });
  it('refuses every way out of the root and malformed input', () => {
    for (const p of [
      '/../etc/passwd',
      '/..%2fetc/passwd',
      '/%2e%2e/%2e%2e/etc/passwd',
      '/a/../../x',
      '/%E0%A4%A',
      '/x%00.js',
    ]) {
      expect(resolveStaticPath(root, p)).toBeNull();
    }
  });
  it('caches hashed assets forever and revalidates the rest', () => {
    expect(cacheControl('/assets/index-abc123.js')).toContain('immutable');
    expect(cacheControl('/sw.js')).toBe('no-cache');
    expect(cacheControl('/index.html')).toBe('no-cache');
  });
});

describe('server config', () => {
  it('uses defaults and reads PORT and HOST', () => {
    expect(readConfig({}, { staticDir: '/d' })).toMatchObject({
      port: 8080,
      host: '0.0.0.0',
      staticDir: '/d',
    });
    expect(readConfig({ PORT: '9000', HOST: '127.0.0.1' }, { staticDir: '/d' })).toMatchObject({
      port: 9000,
      host: '127.0.0.1',
    });
  });
  it('names a bad PORT', () => {
    expect(() => readConfig({ PORT: 'eighty' }, { staticDir: '/d' })).toThrow(/PORT/);
  });
});
