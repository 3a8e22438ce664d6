/**
 * End to end, in headless Chromium with a fake camera, against the real sandbox, gateway and
 * demo server: every framework page runs click → capture → upload → decision (shown by the
 * framework's own state) → form submit verified server-side.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { verifyReceipt } from '@oz-liveness/gateway/receipt';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from './support/chromium.js';
import { type DemoStack, startDemoStack } from './support/demo-stack.js';

const FRAMEWORKS = ['vanilla', 'react', 'vue', 'svelte', 'angular'] as const;
const SCREENSHOTS = new URL('../test-output/screenshots/', import.meta.url);
const AXE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
const DESKTOP = { width: 1280, height: 900 };
const PHONE = { width: 390, height: 844 };
/** Recording the clip takes ~1.5 s; upload and analysis a little more. */
const FLOW_TIMEOUT_MS = 20_000;

let stack: DemoStack;
let browser: Browser;
let contexts: BrowserContext[] = [];

beforeAll(async () => {
  mkdirSync(SCREENSHOTS, { recursive: true });
  [stack, browser] = await Promise.all([startDemoStack(), launchChromium()]);
});

afterAll(async () => {
  await browser?.close();
  await stack?.close();
});

interface OpenedPage {
  page: Page;
  /** Uncaught exceptions in the page: any is a bug. */
  errors: string[];
}

async function openPage(path: string, from: Browser = browser): Promise<OpenedPage> {
  const context = await from.newContext({ viewport: DESKTOP });
  contexts.push(context);
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  await page.goto(`${stack.demoUrl}${path}`);
  // Wait for the framework to render the form and the element to upgrade.
  await page.locator('oz-liveness-check').first().locator('button').waitFor();
  return { page, errors };
}

async function closeContexts(): Promise<void> {
  await Promise.all(contexts.map((context) => context.close()));
  contexts = [];
}

/** Presses the element's button, then the outcome in the sandbox plugin's overlay. */
async function capture(
  page: Page,
  outcome: string,
  check: Locator = page.locator('oz-liveness-check'),
) {
  await check.locator('button').click();
  // Enabled once the clip is recorded; Playwright waits for that.
  await page.locator(`#oz-sandbox-overlay [data-outcome="${outcome}"]`).click();
}

async function textOf(page: Page, testId: string): Promise<string> {
  return ((await page.getByTestId(testId).textContent()) ?? '').trim();
}

function waitForText(page: Page, testId: string, expected: string | RegExp) {
  return expect
    .poll(() => textOf(page, testId), { timeout: FLOW_TIMEOUT_MS, interval: 100 })
    .toMatch(expected);
}

async function screenshot(page: Page, name: string): Promise<void> {
  for (const [label, viewport] of [
    ['1280', DESKTOP],
    ['390', PHONE],
  ] as const) {
    await page.setViewportSize(viewport);
    // Let layout and paint settle after the resize, or tall pages come out half-painted.
    await page.evaluate(
      () => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))),
    );
    await page.waitForTimeout(250);
    await page.screenshot({
      path: new URL(`${name}-${label}.png`, SCREENSHOTS).pathname,
      fullPage: true,
    });
  }
  await page.setViewportSize(DESKTOP);
}

async function axeViolations(page: Page): Promise<string[]> {
  await page.addScriptTag({ content: AXE });
  const violations = await page.evaluate(async () => {
    const axe = (
      globalThis as unknown as {
        axe: {
          run(
            o: unknown,
          ): Promise<{ violations: Array<{ id: string; impact: string; nodes: unknown[] }> }>;
        };
      }
    ).axe;
    const result = await axe.run({ resultTypes: ['violations'] });
    return result.violations.map((v) => `${v.id} (${v.impact}, ${v.nodes.length} nodes)`);
  });
  return violations;
}

describe.each(FRAMEWORKS)('%s page', (framework) => {
  afterAll(closeContexts);

  it('genuine → ACCEPT in the framework state; submit → verdict verified by the server', async () => {
    const { page, errors } = await openPage(`/${framework}/`);
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

    await screenshot(page, framework);
    expect(errors).toEqual([]);
  });

  it('spoof → REJECT (form not submittable), then system error → RETRY, then review → REVIEW', async () => {
    const { page, errors } = await openPage(`/${framework}/`);
    await page.getByLabel('Full name').fill('Mallory');

    await capture(page, 'spoof');
    await waitForText(page, 'decision', /^REJECT$/);
    expect(await page.getByTestId('decision').getAttribute('data-decision')).toBe('REJECT');
    // `required`: the element is invalid unless ACCEPT, so the browser blocks the submit.
    expect(await page.evaluate(() => document.querySelector('form')!.checkValidity())).toBe(false);
    await page.getByRole('button', { name: 'Create account' }).click();
    expect(await textOf(page, 'server-verdict')).toBe('');

    // "Try again" starts over; the framework state forgets the old decision on the way.
    await capture(page, 'system_error');
    await waitForText(page, 'decision', /^RETRY$/);
    expect(await textOf(page, 'state')).toBe('done');
    expect(await page.evaluate(() => document.querySelector('form')!.checkValidity())).toBe(false);

    await capture(page, 'review');
    await waitForText(page, 'decision', /^REVIEW$/);
    expect(await page.evaluate(() => document.querySelector('form')!.checkValidity())).toBe(false);
    expect(errors).toEqual([]);
  });

  it('shows its integration code and passes axe', async () => {
    const { page } = await openPage(`/${framework}/`);
    const code = (await page.locator('#code').textContent()) ?? '';
    const tellsFramework = {
      vanilla: "import '@oz-liveness/element/define'",
      react: 'onoz-liveness-result',
      vue: 'isCustomElement',
      svelte: 'onoz-liveness-result',
      angular: 'CUSTOM_ELEMENTS_SCHEMA',
    }[framework];
    expect(code).toContain(tellsFramework);
    expect(code).toContain('<oz-liveness-check');
    expect(await axeViolations(page)).toEqual([]);
  });
});

describe('camera denied', () => {
  let denying: Browser;

  beforeAll(async () => {
    denying = await launchChromium({ cameraAllowed: false });
  });

  afterAll(async () => {
    await closeContexts();
    await denying?.close();
  });

  it.each(FRAMEWORKS)('%s page shows CAMERA_DENIED from the error event', async (framework) => {
    const { page, errors } = await openPage(`/${framework}/`, denying);
    await page.locator('oz-liveness-check button').click();
    await waitForText(page, 'error', /^CAMERA_DENIED: /);
    expect(await textOf(page, 'state')).toBe('error');
    expect(await textOf(page, 'decision')).toBe('–');
    expect(await page.evaluate(() => document.querySelector('form')!.checkValidity())).toBe(false);
    expect(errors).toEqual([]);
  });
});

describe('landing and theming pages', () => {
  afterAll(closeContexts);

  it('the landing page links to every page, and each one loads', async () => {
    const context = await browser.newContext({ viewport: DESKTOP });
    contexts.push(context);
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
    await screenshot(page, 'landing');
  });

  it('every themed element works; the page passes axe', async () => {
    const { page, errors } = await openPage('/theming/');
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
    await screenshot(page, 'theming');
    expect(errors).toEqual([]);
  });
});
