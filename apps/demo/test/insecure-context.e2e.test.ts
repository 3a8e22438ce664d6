/**
 * INSECURE_CONTEXT in a real insecure context, not a stubbed `isSecureContext`: the same demo page
 * served over plain http, once under a name Chromium does not trust (`insecure.test`, mapped to
 * loopback by the resolver) and once on 127.0.0.1, which counts as potentially trustworthy.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { launchChromium } from './support/chromium.js';
import { type DemoStack, startDemoStack } from './support/demo-stack.js';

const INSECURE_HOST = 'insecure.test';
const FLOW_TIMEOUT_MS = 20_000;

interface ErrorDetail {
  code: string;
  message: string;
  retry: string;
  vendorCode?: string;
}

let stack: DemoStack;
let browser: Browser;
let context: BrowserContext;

beforeAll(async () => {
  [stack, browser] = await Promise.all([
    startDemoStack({ allowedHosts: [INSECURE_HOST] }),
    launchChromium({ args: [`--host-resolver-rules=MAP ${INSECURE_HOST} 127.0.0.1`] }),
  ]);
});

afterAll(async () => {
  await browser?.close();
  await stack?.close();
});

beforeEach(async () => {
  await stack.sandbox.control.reset();
  context = await browser.newContext();
});

afterEach(() => context.close());

/** Opens the vanilla page on `origin`, recording every `oz-liveness-error` detail from the start. */
async function openVanilla(origin: string): Promise<{ page: Page; pageErrors: string[] }> {
  const page = await context.newPage();
  const pageErrors: string[] = [];
  page.on('pageerror', (error) => pageErrors.push(error.message));
  await page.addInitScript(() => {
    const seen: unknown[] = [];
    (globalThis as unknown as { ozErrors: unknown[] }).ozErrors = seen;
    // On the document: the event must bubble out of the shadow root (composed).
    document.addEventListener('oz-liveness-error', (event) => {
      seen.push((event as CustomEvent).detail);
    });
  });
  await page.goto(`${origin}/vanilla/`);
  await page.locator('oz-liveness-check button').waitFor();
  return { page, pageErrors };
}

function errorEvents(page: Page): Promise<ErrorDetail[]> {
  return page.evaluate(() => (globalThis as unknown as { ozErrors: ErrorDetail[] }).ozErrors);
}

async function textOf(page: Page, testId: string): Promise<string> {
  return ((await page.getByTestId(testId).textContent()) ?? '').trim();
}

async function sessionTokenRequests(): Promise<number> {
  const requests = await stack.sandbox.control.requests();
  return requests.filter((r) => r.path.startsWith('/api/authorize/session_token')).length;
}

describe('secure context, for real', () => {
  it(`http://${INSECURE_HOST} → the element shows and emits INSECURE_CONTEXT, spends no token`, async () => {
    const port = new URL(stack.demoUrl).port;
    const { page, pageErrors } = await openVanilla(`http://${INSECURE_HOST}:${port}`);
    expect(await page.evaluate(() => window.isSecureContext)).toBe(false);

    await page.locator('oz-liveness-check button').click();
    await expect
      .poll(() => errorEvents(page), { timeout: FLOW_TIMEOUT_MS })
      .toEqual([
        {
          code: 'INSECURE_CONTEXT',
          message: 'the camera needs a secure context (https)',
          retry: 'NONE',
        },
      ]);

    const check = page.locator('oz-liveness-check');
    expect(await check.getAttribute('state')).toBe('error');
    // Nothing the person can do on this page: a message, no button.
    expect((await check.locator('[part~="status"]').textContent())?.trim()).toBe(
      'This browser cannot run the check. Please try another browser.',
    );
    expect(await check.locator('button').count()).toBe(0);
    expect(await textOf(page, 'error')).toBe(
      'INSECURE_CONTEXT: the camera needs a secure context (https)',
    );
    expect(await textOf(page, 'state')).toBe('error');

    // start() rejects with the same code as the event.
    const rejected = await check.evaluate((el) =>
      (el as unknown as { start(): Promise<unknown> }).start().then(
        () => 'resolved',
        (error: { code?: string }) => error.code,
      ),
    );
    expect(rejected).toBe('INSECURE_CONTEXT');
    // The pre-flight fails before any session token is asked for.
    expect(await sessionTokenRequests()).toBe(0);
    expect(pageErrors).toEqual([]);
  });

  it('the same page on http://127.0.0.1 is a secure context: the check runs to ACCEPT', async () => {
    const { page, pageErrors } = await openVanilla(stack.demoUrl);
    expect(await page.evaluate(() => window.isSecureContext)).toBe(true);

    await page.locator('oz-liveness-check button').click();
    await page.locator('#oz-sandbox-overlay [data-outcome="genuine"]').click();
    await expect
      .poll(() => textOf(page, 'decision'), { timeout: FLOW_TIMEOUT_MS, interval: 100 })
      .toBe('ACCEPT');

    expect(await errorEvents(page)).toEqual([]);
    expect(await page.locator('oz-liveness-check').getAttribute('state')).toBe('done');
    expect(await sessionTokenRequests()).toBe(1);
    expect(pageErrors).toEqual([]);
  });
});
