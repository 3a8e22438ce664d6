import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { expect } from 'vitest';

/** What a page-driving e2e test shares: viewports, waits, the plugin's outcome buttons, axe. */
export const DESKTOP = { width: 1280, height: 900 };
export const PHONE = { width: 390, height: 844 };
/** A capture (a 300 ms clip in the test stack), the upload and the analysis, on a busy machine. */
export const FLOW_TIMEOUT_MS = 20_000;
export const FRAMEWORKS = ['vanilla', 'react', 'vue', 'svelte', 'angular'] as const;
export type Framework = (typeof FRAMEWORKS)[number];

const AXE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

export interface OpenedPage {
  page: Page;
  /** Uncaught exceptions in the page: any is a bug. */
  errors: string[];
}

/** Browser contexts opened by a file's tests, closed together (`closeAll`). */
export class Contexts {
  #open: BrowserContext[] = [];

  async page(browser: Browser, url: string): Promise<OpenedPage> {
    const context = await browser.newContext({ viewport: DESKTOP });
    this.#open.push(context);
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    await page.goto(url);
    // Wait for the framework to render the form and the element to upgrade.
    await page.locator('oz-liveness-check').first().locator('button').waitFor();
    return { page, errors };
  }

  async closeAll(): Promise<void> {
    await Promise.all(this.#open.map((context) => context.close()));
    this.#open = [];
  }
}

/** Presses the element's button, then the outcome in the sandbox plugin's overlay. */
export async function capture(
  page: Page,
  outcome: string,
  check: Locator = page.locator('oz-liveness-check'),
): Promise<void> {
  await check.locator('button').click();
  // Enabled once the clip is recorded; Playwright waits for that.
  await page.locator(`#oz-sandbox-overlay [data-outcome="${outcome}"]`).click();
}

export async function textOf(page: Page, testId: string): Promise<string> {
  return ((await page.getByTestId(testId).textContent()) ?? '').trim();
}

export function waitForText(page: Page, testId: string, expected: string | RegExp) {
  return expect
    .poll(() => textOf(page, testId), { timeout: FLOW_TIMEOUT_MS, interval: 100 })
    .toMatch(expected);
}

export async function axeViolations(page: Page): Promise<string[]> {
  await page.addScriptTag({ content: AXE });
  return page.evaluate(async () => {
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
}

/** The form's own validity: `required` makes the element invalid unless ACCEPT. */
export function formIsValid(page: Page): Promise<boolean> {
  return page.evaluate(() => document.querySelector('form')!.checkValidity());
}

/** spoof → REJECT (not submittable), system error → RETRY, review → REVIEW, on one page. */
export async function runDecisionCycle(page: Page): Promise<void> {
  await page.getByLabel('Full name').fill('Mallory');

  await capture(page, 'spoof');
  await waitForText(page, 'decision', /^REJECT$/);
  expect(await page.getByTestId('decision').getAttribute('data-decision')).toBe('REJECT');
  // `required`: the element is invalid unless ACCEPT, so the browser blocks the submit.
  expect(await formIsValid(page)).toBe(false);
  await page.getByRole('button', { name: 'Create account' }).click();
  expect(await textOf(page, 'server-verdict')).toBe('');

  // "Try again" starts over; the framework state forgets the old decision on the way.
  await capture(page, 'system_error');
  await waitForText(page, 'decision', /^RETRY$/);
  expect(await textOf(page, 'state')).toBe('done');
  expect(await formIsValid(page)).toBe(false);

  await capture(page, 'review');
  await waitForText(page, 'decision', /^REVIEW$/);
  expect(await formIsValid(page)).toBe(false);
}

/** The element's CAMERA_DENIED, as the framework's own view shows it (camera-denying browser). */
export async function expectCameraDenied(page: Page): Promise<void> {
  await page.locator('oz-liveness-check button').click();
  await waitForText(page, 'error', /^CAMERA_DENIED: /);
  expect(await textOf(page, 'state')).toBe('error');
  expect(await textOf(page, 'decision')).toBe('–');
  expect(await formIsValid(page)).toBe(false);
}

/** The page shows the integration code of its own framework, and axe finds no violation. */
export async function expectIntegrationCodeAndAxe(page: Page, framework: Framework): Promise<void> {
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
}
