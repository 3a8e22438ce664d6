/**
 * End to end, in headless Chromium against the real sandbox, gateway and demo server: one
 * liveness check signs up one account, in the session it was made in. Two browser contexts are
 * two visitors (two session cookies); the receipt is the one the element really received.
 */
import { randomUUID } from 'node:crypto';
import { verifyReceipt } from '@oz-liveness/gateway/receipt';
import { createTestContainer } from '@oz-liveness/sandbox';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from './support/chromium.js';
import { waitForText } from './support/demo-page.js';
import { type DemoStack, startDemoStack } from './support/demo-stack.js';

let stack: DemoStack;
let browser: Browser;
const contexts: BrowserContext[] = [];

beforeAll(async () => {
  [stack, browser] = await Promise.all([startDemoStack(), launchChromium()]);
});

afterAll(async () => {
  await Promise.all(contexts.map((context) => context.close()));
  await browser?.close();
  await stack?.close();
});

/** A new visitor (its own cookies) on the vanilla page, once the check has its binding. */
async function visit(): Promise<{ page: Page; errors: string[] }> {
  const context = await browser.newContext();
  contexts.push(context);
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  await page.goto(`${stack.demoUrl}/vanilla/`);
  // The page enables the check once /api/session gave it the binding.
  await page.waitForFunction(() => {
    const check = document.querySelector('oz-liveness-check');
    return Boolean(check?.binding) && !check?.disabled;
  });
  return { page, errors };
}

/** POST /api/signup from the page, as a script on it could: its own cookies go along. */
function postFromPage(page: Page, fields: { name: string; liveness: string }) {
  return page.evaluate(async ({ name, liveness }) => {
    const form = new FormData();
    form.set('name', name);
    form.set('liveness', liveness);
    const response = await fetch('/api/signup', { method: 'POST', body: form });
    return { status: response.status, body: await response.json() };
  }, fields);
}

/** Oz API calls the sandbox received since `since` requests in (plugin script loads excluded). */
async function ozCallsSince(since: number) {
  return (await stack.sandbox.control.requests())
    .slice(since)
    .filter((r) => r.path.startsWith('/api/'));
}

describe('one liveness check, one account, in its own session', () => {
  it('signs up once; another session’s cookie and a second sign-up are refused', async () => {
    const a = await visit();
    await a.page.getByLabel('Full name').fill('Ada Lovelace');
    await a.page.locator('oz-liveness-check button').click();
    await a.page.locator('#oz-sandbox-overlay [data-outcome="genuine"]').click();
    await waitForText(a.page, 'decision', /^ACCEPT$/);
    const receipt = await a.page.evaluate(() =>
      String(new FormData(document.querySelector('form')!).get('liveness')),
    );
    // Bound: the gateway signed the page's binding into it.
    expect((await verifyReceipt(receipt, stack.receiptSecret)).bnd).toMatch(/^[A-Za-z0-9_-]{43}$/);

    // Another visitor (session B) hands in A's receipt: refused, and not used up by trying.
    const b = await visit();
    expect(await postFromPage(b.page, { name: 'Mallory', liveness: receipt })).toEqual({
      status: 403,
      body: expect.objectContaining({ ok: false, code: 'RECEIPT_BINDING_MISMATCH' }),
    });

    // A signs up through the form.
    await a.page.getByRole('button', { name: 'Create account' }).click();
    await waitForText(a.page, 'server-verdict', /Ada Lovelace passed/);
    expect(await a.page.getByTestId('server-verdict').getAttribute('data-ok')).toBe('true');

    // A second account with the same check, through the same form: refused.
    await a.page.getByLabel('Full name').fill('Ada Twice');
    await a.page.getByRole('button', { name: 'Create account' }).click();
    await waitForText(a.page, 'server-verdict', /RECEIPT_REPLAYED/);
    expect(await a.page.getByTestId('server-verdict').getAttribute('data-ok')).toBe('false');
    // Nor from session B now.
    expect(await postFromPage(b.page, { name: 'Mallory', liveness: receipt })).toMatchObject({
      status: 403,
    });
    expect([...a.errors, ...b.errors]).toEqual([]);
  });

  it('a transactionId the gateway never issued is refused, and Oz never hears of it', async () => {
    const { page } = await visit();
    // A genuine session token, as the element would get it, and a capsule made with it.
    const token = await page.evaluate(async () => {
      const response = await fetch('/graphql', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: '{ sessionToken { token transactionId } }' }),
      });
      return (await response.json()).data.sessionToken as { token: string; transactionId: string };
    });
    const since = (await stack.sandbox.control.requests()).length;
    const made = [
      randomUUID(),
      // The right shape, not signed by this gateway.
      'A'.repeat(50),
      // The issued id with one character changed.
      `${token.transactionId.slice(0, 20)}${token.transactionId[20] === 'A' ? 'B' : 'A'}${token.transactionId.slice(21)}`,
    ];
    for (const transactionId of made) {
      const capsule = await createTestContainer({ sessionToken: token.token, transactionId });
      const answer = await page.evaluate(
        async ({ bytes, transactionId }) => {
          const form = new FormData();
          form.append(
            'operations',
            JSON.stringify({
              query:
                'mutation ($capsule: Upload!, $transactionId: ID!) { submitCapsule(capsule: $capsule, transactionId: $transactionId) { decision receipt } }',
              variables: { capsule: null, transactionId },
            }),
          );
          form.append('map', JSON.stringify({ 0: ['variables.capsule'] }));
          form.append('0', new Blob([new Uint8Array(bytes)]), 'capsule.bin');
          const response = await fetch('/graphql', {
            method: 'POST',
            headers: { 'apollo-require-preflight': 'true' },
            body: form,
          });
          return response.json();
        },
        { bytes: [...capsule], transactionId },
      );
      expect(answer.data, transactionId).toBeNull();
      expect(answer.errors?.[0]?.extensions?.code, transactionId).toBe('BAD_USER_INPUT');
    }
    expect(await ozCallsSince(since)).toEqual([]);
  });
});
