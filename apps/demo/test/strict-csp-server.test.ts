/**
 * The demo server's half of `/strict-csp/`, without a browser: the page it finishes per response
 * (the nonce on every script, the plugin URL and trusted origin written safely) and the report
 * endpoint over real HTTP.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCspReportHandler } from '../server/csp-reports.js';
import { newNonce, renderStrictCspPage, strictCsp } from '../server/strict-csp-page.js';

const template = `<head>
<!-- oz-demo:trusted-plugin-origins -->
<script type="module" crossorigin src="/assets/strict-csp.js"></script>
<link rel="modulepreload" crossorigin href="/assets/define.js">
</head><body><oz-liveness-check plugin-src="__OZ_PLUGIN_SRC__"></oz-liveness-check></body>`;

describe('renderStrictCspPage', () => {
  it('puts the nonce on every script, preload and the element; writes the plugin URL and origin', () => {
    const nonce = newNonce();
    const html = renderStrictCspPage(template, {
      nonce,
      pluginUrl: 'https://web-sdk.example.com/a/plugin_liveness.php',
    });
    expect(html.match(/<script nonce="[^"]+"/g)).toEqual([
      `<script nonce="${nonce}"`,
      `<script nonce="${nonce}"`,
    ]);
    expect(html).toContain(`<link rel="modulepreload" nonce="${nonce}" crossorigin`);
    expect(html).toContain(
      `<oz-liveness-check nonce="${nonce}" plugin-src="https://web-sdk.example.com/a/plugin_liveness.php">`,
    );
    expect(html).toContain(
      `<script nonce="${nonce}" type="application/json" id="oz-demo-trusted-plugin-origins">["https://web-sdk.example.com"]</script>`,
    );
  });

  it('writes a URL with $ patterns, quotes and angle brackets literally and escaped', () => {
    const html = renderStrictCspPage(template, {
      nonce: 'n',
      pluginUrl: 'https://cdn.example.com/p.php?a="$&"&b=<x>',
    });
    expect(html).toContain(
      'plugin-src="https://cdn.example.com/p.php?a=&quot;$&amp;&quot;&amp;b=&lt;x&gt;"',
    );
    expect(html).not.toContain('__OZ_PLUGIN_SRC__');
  });

  it('gives a fresh 128-bit nonce each time, in the exact policy', () => {
    const nonces = new Set(Array.from({ length: 100 }, newNonce));
    expect(nonces.size).toBe(100);
    for (const nonce of nonces) expect(Buffer.from(nonce, 'base64')).toHaveLength(16);
    expect(strictCsp('abc')).toBe(
      "script-src 'nonce-abc' 'strict-dynamic'; object-src 'none'; base-uri 'none'; " +
        "require-trusted-types-for 'script'; trusted-types oz-liveness lit-html; " +
        'report-uri /api/csp-report',
    );
  });
});

describe('/api/csp-report', () => {
  let server: Server;
  let url: string;

  beforeAll(async () => {
    server = createServer(createCspReportHandler());
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  });

  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const post = (body: string, type: string) =>
    fetch(url, { method: 'POST', headers: { 'content-type': type }, body });
  const listed = async () =>
    ((await (await fetch(url)).json()) as { reports: Record<string, unknown>[] }).reports;

  it('records report-uri and Reporting API bodies, lists them, refuses what is not JSON', async () => {
    expect(await listed()).toEqual([]);
    const one = { 'document-uri': 'http://x/strict-csp/', 'violated-directive': 'script-src' };
    expect(
      (await post(JSON.stringify({ 'csp-report': one }), 'application/csp-report')).status,
    ).toBe(204);
    const two = { documentURL: 'http://x/strict-csp/', effectiveDirective: 'trusted-types' };
    const batch = [{ type: 'csp-violation', body: two }];
    expect((await post(JSON.stringify(batch), 'application/reports+json')).status).toBe(204);
    expect((await post('not json', 'application/csp-report')).status).toBe(400);
    expect(await listed()).toEqual([one, two]);
    expect((await fetch(url, { method: 'PUT' })).status).toBe(405);
  });

  it('keeps the latest 200 and refuses a body over 64 KiB', async () => {
    for (let i = 0; i < 210; i++) {
      await post(JSON.stringify({ 'csp-report': { n: i } }), 'application/csp-report');
    }
    const reports = await listed();
    expect(reports).toHaveLength(200);
    expect(reports.at(-1)).toEqual({ n: 209 });
    const big = JSON.stringify({ 'csp-report': { sample: 'x'.repeat(70_000) } });
    expect((await post(big, 'application/csp-report')).status).toBe(400);
  });
});
