/**
 * `/strict-csp/` in headless Chromium against the real sandbox, gateway and demo server: the page
 * is served with a nonce, 'strict-dynamic' and Trusted Types (`require-trusted-types-for
 * 'script'; trusted-types oz-liveness lit-html`), and the element loads the Web Plugin from the
 * sandbox's own origin, which the page trusts in code. The whole check runs to ACCEPT without a
 * single violation; a plugin-src on an origin the page does not trust is refused before any
 * script exists.
 */
import { randomUUID } from 'node:crypto';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from './support/chromium.js';
import { type DemoStack, startDemoStack } from './support/demo-stack.js';

/** Recording the 300 ms clip, then upload and analysis. */
const FLOW_TIMEOUT_MS = 20_000;
/** An origin the page does not trust; the test serves the real plugin there. */
const UNTRUSTED_ORIGIN = 'http://plugins.untrusted.test';

let stack: DemoStack;
let browser: Browser;
let context: BrowserContext | undefined;

beforeAll(async () => {
  [stack, browser] = await Promise.all([startDemoStack(), launchChromium()]);
});

afterAll(async () => {
  await browser?.close();
  await stack?.close();
});

afterEach(async () => {
  await context?.close();
  context = undefined;
});

function expectedPolicy(nonce: string): string {
  return (
    `script-src 'nonce-${nonce}' 'strict-dynamic'; object-src 'none'; base-uri 'none'; ` +
    "require-trusted-types-for 'script'; trusted-types oz-liveness lit-html; " +
    'report-uri /api/csp-report'
  );
}

function nonceOf(policy: string | undefined): string {
  const nonce = /'nonce-([^']+)'/.exec(policy ?? '')?.[1];
  if (!nonce) throw new Error(`no nonce in ${policy}`);
  return nonce;
}

interface Watched {
  page: Page;
  /** Uncaught exceptions and console errors. */
  errors: string[];
  /** Every request the page made. */
  requests: string[];
}

/**
 * A new page that records, from before the first byte, every `securitypolicyviolation` event,
 * every URL given to a script's `src` and every script inserted anywhere.
 */
async function watchedPage(): Promise<Watched> {
  context = await browser.newContext();
  const page = await context.newPage();
  const errors: string[] = [];
  const requests: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text());
  });
  page.on('request', (request) => requests.push(request.url()));
  await page.addInitScript(() => {
    const w = globalThis as unknown as { violations: string[]; scriptSrcs: string[] };
    w.violations = [];
    w.scriptSrcs = [];
    // Capturing, on the document: violations in shadow roots are composed events.
    document.addEventListener(
      'securitypolicyviolation',
      (event) =>
        w.violations.push(`${event.violatedDirective} ${event.blockedURI} ${event.sample}`),
      true,
    );
    const src = Object.getOwnPropertyDescriptor(HTMLScriptElement.prototype, 'src')!;
    Object.defineProperty(HTMLScriptElement.prototype, 'src', {
      ...src,
      set(value: unknown) {
        w.scriptSrcs.push(String(value));
        src.set!.call(this, value);
      },
    });
    new MutationObserver((records) => {
      for (const record of records) {
        for (const node of record.addedNodes) {
          if (node instanceof HTMLScriptElement && node.src) w.scriptSrcs.push(node.src);
        }
      }
    }).observe(document, { childList: true, subtree: true });
  });
  return { page, errors, requests };
}

const violations = (page: Page) =>
  page.evaluate(() => (globalThis as unknown as { violations: string[] }).violations);
const scriptSrcs = (page: Page) =>
  page.evaluate(() => (globalThis as unknown as { scriptSrcs: string[] }).scriptSrcs);

/** The page's check, once the page gave it this session's binding. */
async function readyCheck(page: Page) {
  await page.waitForFunction(() => {
    const check = document.querySelector('oz-liveness-check');
    return Boolean(check?.binding) && !check?.disabled;
  });
  return page.locator('oz-liveness-check');
}

async function textOf(page: Page, testId: string): Promise<string> {
  return ((await page.getByTestId(testId).textContent()) ?? '').trim();
}

async function reportsFor(run: string): Promise<Record<string, unknown>[]> {
  const response = await fetch(`${stack.demoUrl}/api/csp-report`);
  const { reports } = (await response.json()) as { reports: Record<string, unknown>[] };
  return reports.filter((report) => String(report['document-uri']).includes(run));
}

describe('/strict-csp/', () => {
  it('sends the strict policy with a fresh nonce in every response, on every script', async () => {
    const [first, second] = await Promise.all([
      fetch(`${stack.demoUrl}/strict-csp/`),
      fetch(`${stack.demoUrl}/strict-csp/`),
    ]);
    const policies = [first, second].map((r) => r.headers.get('content-security-policy') ?? '');
    const nonces = policies.map(nonceOf);
    expect(nonces[0]).not.toBe(nonces[1]);
    expect(nonces[0]).toMatch(/^[A-Za-z0-9+/]{22}==$/);
    expect(policies[0]).toBe(expectedPolicy(nonces[0]!));
    const html = await first.text();
    const scripts = html.match(/<script\b[^>]*>/g) ?? [];
    expect(scripts.length).toBeGreaterThanOrEqual(2); // the module and the trusted origins' data
    for (const tag of scripts) expect(tag).toContain(`nonce="${nonces[0]}"`);
    expect(html).toContain(`<oz-liveness-check nonce="${nonces[0]}"`);
    expect(html).toContain(`plugin-src="${stack.sandbox.url}/plugin_liveness.php"`);
  });

  it('runs to ACCEPT and a verified sign-up with no violation and no report', async () => {
    const run = randomUUID();
    const { page, errors } = await watchedPage();
    const response = await page.goto(`${stack.demoUrl}/strict-csp/?run=${run}`);
    const nonce = nonceOf(response?.headers()['content-security-policy']);
    const check = await readyCheck(page);

    await page.getByLabel('Full name').fill('Grace Hopper');
    await check.locator('button').click();
    // The plugin is open (or the check failed, and then says why).
    await expect
      .poll(() => check.evaluate((el) => (el as unknown as { state: string }).state), {
        timeout: FLOW_TIMEOUT_MS,
        interval: 50,
      })
      .toMatch(/^(capturing|error)$/);
    expect(await textOf(page, 'error')).toBe('');
    // Enabled once the clip is recorded; Playwright waits for that.
    await page.locator('#oz-sandbox-overlay [data-outcome="genuine"]').click();
    await expect
      .poll(() => textOf(page, 'decision'), { timeout: FLOW_TIMEOUT_MS, interval: 100 })
      .toBe('ACCEPT');
    await page.getByRole('button', { name: 'Create account' }).click();
    await expect
      .poll(() => textOf(page, 'server-verdict'), { timeout: FLOW_TIMEOUT_MS, interval: 100 })
      .toMatch(/Grace Hopper passed/);

    // The plugin came from the sandbox's origin, through the element's script, with the nonce.
    const pluginUrl = `${stack.sandbox.url}/plugin_liveness.php`;
    expect(new URL(pluginUrl).origin).not.toBe(new URL(stack.demoUrl).origin);
    const pluginNonce = await page.evaluate(
      (url) => [...document.scripts].find((script) => script.src === url)?.nonce,
      pluginUrl,
    );
    expect(pluginNonce).toBe(nonce);
    expect(await violations(page)).toEqual([]);
    expect(errors).toEqual([]);

    // Trusted Types are enforced, and reports reach the server: a string to innerHTML is refused
    // and reported. That report is the only one for this page.
    const canary = await page.evaluate(() => {
      try {
        document.createElement('div').innerHTML = '<b>canary</b>';
        return 'assigned';
      } catch (error) {
        return (error as Error).name;
      }
    });
    expect(canary).toBe('TypeError');
    expect(await violations(page)).toHaveLength(1);
    await expect.poll(() => reportsFor(run), { timeout: 10_000 }).not.toEqual([]);
    const reports = await reportsFor(run);
    expect(reports.map((r) => r['violated-directive'])).toEqual(['require-trusted-types-for']);
    expect(String(reports[0]!['script-sample'])).toContain('canary');
  });

  it('refuses a plugin-src on an origin the page does not trust: PLUGIN_LOAD_FAILED, no script', async () => {
    // The sandbox's plugin, served on another origin: it would load and run if the element let
    // it. The page is the server's, with the markup changed as an injection would change it.
    const untrusted = `${UNTRUSTED_ORIGIN}/plugin_liveness.php`;
    const plugin = await (await fetch(`${stack.sandbox.url}/plugin_liveness.php`)).text();
    const { page, errors, requests } = await watchedPage();
    await page.route(`${UNTRUSTED_ORIGIN}/**`, (route) =>
      route.fulfill({ body: plugin, contentType: 'application/javascript' }),
    );
    await page.route(
      (url) => url.pathname === '/strict-csp/',
      async (route) => {
        const served = await route.fetch();
        const body = (await served.text()).replace(
          `plugin-src="${stack.sandbox.url}/plugin_liveness.php"`,
          `plugin-src="${untrusted}"`,
        );
        await route.fulfill({ response: served, body });
      },
    );
    await page.goto(`${stack.demoUrl}/strict-csp/`);
    const check = await readyCheck(page);
    expect(await check.getAttribute('plugin-src')).toBe(untrusted);

    await check.locator('button').click();
    // Settled either way: the plugin open, or the check failed.
    await expect
      .poll(() => check.getAttribute('state'), { timeout: FLOW_TIMEOUT_MS, interval: 50 })
      .toMatch(/^(capturing|error)$/);
    expect(await check.getAttribute('state')).toBe('error');
    const error = await check.evaluate(
      (el) => (el as unknown as { error: { code: string; message: string } }).error,
    );
    expect(error.code).toBe('PLUGIN_LOAD_FAILED');
    expect(error.message).toContain(`${untrusted} was refused`);
    expect(await textOf(page, 'error')).toMatch(/^PLUGIN_LOAD_FAILED: /);

    expect((await scriptSrcs(page)).filter((src) => src.startsWith(UNTRUSTED_ORIGIN))).toEqual([]);
    expect(requests.filter((url) => url.startsWith(UNTRUSTED_ORIGIN))).toEqual([]);
    expect(await page.evaluate(() => 'OzLiveness' in window)).toBe(false);
    // Refused by the element's own check: nothing ever reached the browser's policy.
    expect(await violations(page)).toEqual([]);
    expect(errors).toEqual([]);
  });
});
