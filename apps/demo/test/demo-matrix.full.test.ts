/**
 * `pnpm test:full`: the rest of the framework × outcome matrix that demo-pages.e2e.test.ts runs
 * on one page each (every other decision, camera-denied, the integration code and axe on every
 * framework page), and the
 * screenshots of every page at desktop and phone width (test-output/screenshots/, git-ignored).
 */
import { mkdirSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from './support/chromium.js';
import {
  Contexts,
  capture,
  DESKTOP,
  expectCameraDenied,
  expectIntegrationCodeAndAxe,
  FRAMEWORKS,
  PHONE,
  runDecisionCycle,
  waitForText,
} from './support/demo-page.js';
import { type DemoStack, startDemoStack } from './support/demo-stack.js';

const SCREENSHOTS = new URL('../test-output/screenshots/', import.meta.url);

let stack: DemoStack;
let browser: Browser;
let denying: Browser;
const contexts = new Contexts();
const open = (path: string, from: Browser = browser) =>
  contexts.page(from, `${stack.demoUrl}${path}`);

beforeAll(async () => {
  mkdirSync(SCREENSHOTS, { recursive: true });
  [stack, browser, denying] = await Promise.all([
    startDemoStack(),
    launchChromium(),
    launchChromium({ cameraAllowed: false }),
  ]);
});

afterAll(async () => {
  await contexts.closeAll();
  await Promise.all([browser?.close(), denying?.close()]);
  await stack?.close();
});

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

describe.each(FRAMEWORKS)('%s page, every outcome', (framework) => {
  afterAll(() => contexts.closeAll());

  it('spoof → REJECT (form not submittable), then system error → RETRY, then review → REVIEW', async () => {
    const { page, errors } = await open(`/${framework}/`);
    await runDecisionCycle(page);
    expect(errors).toEqual([]);
  });

  it('shows its integration code and passes axe', async () => {
    const { page } = await open(`/${framework}/`);
    await expectIntegrationCodeAndAxe(page, framework);
  });

  it('shows CAMERA_DENIED from the error event', async () => {
    const { page, errors } = await open(`/${framework}/`, denying);
    await expectCameraDenied(page);
    expect(errors).toEqual([]);
  });

  it('screenshots after a verified sign-up, desktop and phone', async () => {
    const { page, errors } = await open(`/${framework}/`);
    await page.getByLabel('Full name').fill('Ada Lovelace');
    await capture(page, 'genuine');
    await waitForText(page, 'decision', /^ACCEPT$/);
    await page.getByRole('button', { name: 'Create account' }).click();
    await waitForText(page, 'server-verdict', /Ada Lovelace passed/);
    await screenshot(page, framework);
    expect(errors).toEqual([]);
  });
});

describe('landing and theming screenshots', () => {
  afterAll(() => contexts.closeAll());

  it('landing', async () => {
    const context = await browser.newContext({ viewport: DESKTOP });
    try {
      const page = await context.newPage();
      await page.goto(`${stack.demoUrl}/`);
      await expect(page.locator('main a').count()).resolves.toBeGreaterThan(0);
      await screenshot(page, 'landing');
    } finally {
      await context.close();
    }
  });

  it('theming', async () => {
    const { page, errors } = await open('/theming/');
    await screenshot(page, 'theming');
    expect(errors).toEqual([]);
  });
});
