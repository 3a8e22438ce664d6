/**
 * End to end, in headless Chromium with a fake camera, against the real sandbox, gateway and
 * demo server: every framework page runs click → capture → upload → decision (shown by the
 * framework's own state) → form submit verified server-side. The other decisions, the
 * camera-denied error and the integration code with axe run here on one page each; `pnpm
 * test:full` runs them on every framework (demo-matrix.full.test.ts).
 */
import { verifyReceipt } from '@oz-liveness/gateway/receipt';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from './support/chromium.js';
import {
  axeViolations,
  Contexts,
  capture,
  DESKTOP,
  expectCameraDenied,
  expectIntegrationCodeAndAxe,
  FLOW_TIMEOUT_MS,
  FRAMEWORKS,
  runDecisionCycle,
  textOf,
  waitForText,
} from './support/demo-page.js';
import { type DemoStack, startDemoStack } from './support/demo-stack.js';

let stack: DemoStack;
let browser: Browser;
const contexts = new Contexts();
const open = (path: string, from: Browser = browser) =>
  contexts.page(from, `${stack.demoUrl}${path}`);

beforeAll(async () => {
  [stack, browser] = await Promise.all([startDemoStack(), launchChromium()]);
});

afterAll(async () => {
  await contexts.closeAll();
  await browser?.close();
  await stack?.close();
});

describe.each(FRAMEWORKS)('%s page', (framework) => {
  afterAll(() => contexts.closeAll());

  it('genuine → ACCEPT in the framework state; submit → verdict verified by the server', async () => {
    const { page, errors } = await open(`/${framework}/`);
    await page.getByLabel('Full name').fill('Ada Lovelace');
    expect(await textOf(page, 'decision')).toBe('–');

    await capture(page, 'genuine');
    await waitForText(page, 'decision', /^ACCEPT$/);
    expect(await textOf(page, 'state')).toBe('done');
    expect(await textOf(page, 'progress')).toBe('100%');

    // The form value is the gateway's receipt; check it independently of the demo server.
    const receipt = await page.evaluate(() => {
      const form = document.querySelector('form')!;
      return String(new FormData(form).get('liveness'));
    });
    const claims = await verifyReceipt(receipt, stack.receiptSecret);
    expect(claims).toMatchObject({ decision: 'ACCEPT', rs: 'FINISHED', sr: 'SUCCESS' });

    await page.getByRole('button', { name: 'Create account' }).click();
    await waitForText(page, 'server-verdict', /Ada Lovelace passed/);
    const verdict = await textOf(page, 'server-verdict');
    expect(verdict).toContain(`transaction ${claims.tid}`);
    expect(await page.getByTestId('server-verdict').getAttribute('data-ok')).toBe('true');
    expect(errors).toEqual([]);
  });
});

// On every framework page in demo-matrix.full.test.ts (pnpm test:full).
describe('vanilla page, its code and accessibility', () => {
  afterAll(() => contexts.closeAll());

  it('shows its integration code and passes axe', async () => {
    const { page } = await open('/vanilla/');
    await expectIntegrationCodeAndAxe(page, 'vanilla');
  });
});

describe('other outcomes, on the React page', () => {
  afterAll(() => contexts.closeAll());

  it('spoof → REJECT (form not submittable), then system error → RETRY, then review → REVIEW', async () => {
    const { page, errors } = await open('/react/');
    await runDecisionCycle(page);
    expect(errors).toEqual([]);
  });

  it('camera denied: the vanilla page shows CAMERA_DENIED from the error event', async () => {
    const denying = await launchChromium({ cameraAllowed: false });
    try {
      const { page, errors } = await open('/vanilla/', denying);
      await expectCameraDenied(page);
      expect(errors).toEqual([]);
    } finally {
      await contexts.closeAll();
      await denying.close();
    }
  });
});

describe('landing and theming pages', () => {
  afterAll(() => contexts.closeAll());

  it('the landing page links to every page, and each one loads', async () => {
    const context = await browser.newContext({ viewport: DESKTOP });
    try {
      const page = await context.newPage();
      await page.goto(`${stack.demoUrl}/`);
      const links = await page
        .locator('main a')
        .evaluateAll((anchors) => anchors.map((a) => a.getAttribute('href')));
      expect(links).toEqual([
        '/vanilla/',
        '/react/',
        '/vue/',
        '/svelte/',
        '/angular/',
        '/theming/',
        '/strict-csp/',
        '/ssr/',
      ]);
      for (const link of links) {
        const response = await fetch(`${stack.demoUrl}${link}`);
        expect(response.status, link!).toBe(200);
      }
      expect(await axeViolations(page)).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('every themed element works; the page passes axe', async () => {
    const { page, errors } = await open('/theming/');
    const midnight = page.locator('.theme-midnight oz-liveness-check');
    await capture(page, 'genuine', midnight);
    await expect
      .poll(() => midnight.getAttribute('state'), { timeout: FLOW_TIMEOUT_MS })
      .toBe('done');
    expect(
      await midnight.evaluate(
        (el) => (el as unknown as { result: { decision: string } }).result.decision,
      ),
    ).toBe('ACCEPT');
    // The themes reach inside only through custom properties (base) and parts (button).
    const base = midnight.locator('[part~="base"]');
    expect(await base.evaluate((el) => getComputedStyle(el).backgroundColor)).toBe(
      'rgb(27, 21, 56)',
    );
    const bankButton = page.locator('.theme-bank oz-liveness-check [part~="button"]');
    expect(await bankButton.evaluate((el) => getComputedStyle(el).textTransform)).toBe('uppercase');
    expect(await axeViolations(page)).toEqual([]);
    expect(errors).toEqual([]);
  });
});
