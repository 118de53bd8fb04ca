import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createAppServer } from '../../server/app';
import { readConfig } from '../../server/config';
import { reportDirective } from '../../server/csp-reports';
import { ServerMetrics } from '../../server/metrics';
import { contentSecurityPolicy } from '../../server/security-headers';

const stops: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const stop of stops.splice(0)) await stop();
});

describe('CSP violation reports', () => {
  it('are counted by directive from a fixed set, never by what the client wrote', async () => {
    const metrics = new ServerMetrics();
    const server = createAppServer(readConfig({}, { staticDir: '/nonexistent' }), null, {
      metrics,
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    stops.push(() => new Promise((r) => server.close(() => r())));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/csp-report`;
    const post = (body: string) =>
      fetch(url, { method: 'POST', body, headers: { 'Content-Type': 'application/csp-report' } });
    const report = (directive: string) =>
      JSON.stringify({ 'csp-report': { 'effective-directive': directive, 'blocked-uri': 'x' } });
    expect((await post(report('script-src'))).status).toBe(204);
    expect((await post(report('evil"} 1\nferry_fake 9'))).status).toBe(204);
    expect((await post('not json')).status).toBe(204);
    expect((await post('x'.repeat(64 * 1024)).catch(() => ({ status: 413 }))).status).toBe(413);
    const text = await metrics.render();
    expect(text).toMatch(/^ferry_csp_violations_total\{directive="script-src"\} 1$/m);
    expect(text).toMatch(/^ferry_csp_violations_total\{directive="other"\} 2$/m);
    expect(text).not.toContain('ferry_fake');
    expect((await fetch(url.replace('csp-report', 'healthz'))).status).toBe(200);
  });

  it('read the directive of old and new report forms', () => {
    expect(reportDirective('{"csp-report":{"violated-directive":"worker-src \'self\'"}}')).toBe(
      'worker-src',
    );
    expect(reportDirective('{"csp-report":{}}')).toBe('other');
  });

  it('are asked for by the policy, which allows no inline code and reaches relays on other origins', () => {
    const plain = contentSecurityPolicy(false);
    expect(plain).toContain('report-uri /csp-report');
    expect(plain).toContain("script-src 'self' 'wasm-unsafe-eval'");
    expect(plain).not.toContain('unsafe-inline');
    expect(plain).toContain("connect-src 'self' https: wss: http: ws:");
    expect(contentSecurityPolicy(true)).toContain("connect-src 'self' https: wss:;");
  });
});
