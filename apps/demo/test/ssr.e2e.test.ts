/**
 * `/ssr/` in headless Chromium against the real sandbox, gateway and demo server: the demo server
 * renders `<oz-liveness-check lang="es">` with @lit-labs/ssr. Without JavaScript the button is
 * there, styled and laid out; with it the element hydrates the server's DOM (no node changed, no
 * layout shift, no console error) and runs to ACCEPT as a form field.
 */
import { verifyReceipt } from '@oz-liveness/gateway/receipt';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from './support/chromium.js';
import { type DemoStack, startDemoStack } from './support/demo-stack.js';

/** Recording the 300 ms clip, then upload and analysis. */
const FLOW_TIMEOUT_MS = 20_000;
const SPANISH_LABEL = 'Iniciar prueba de vida';

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

async function textOf(page: Page, testId: string): Promise<string> {
  return ((await page.getByTestId(testId).textContent()) ?? '').trim();
}

/** Resolves after the browser has produced two more frames: layout and paint are done. */
function twoFrames(page: Page): Promise<void> {
  return page.evaluate(
    () =>
      new Promise<void>((resolve) =>
        requestAnimationFrame(() => requestAnimationFrame(() => resolve())),
      ),
  );
}

describe('/ssr/', () => {
  it('sends the element rendered: a declarative shadow root, in Spanish, with the binding', async () => {
    const response = await fetch(`${stack.demoUrl}/ssr/`);
    expect(response.status).toBe(200);
    const html = await response.text();
    expect(html).toMatch(
      /<oz-liveness-check[^>]* lang="es"[^>]*><template shadowroot="open" shadowrootmode="open" shadowrootdelegatesfocus><style>/,
    );
    expect(html).toContain(SPANISH_LABEL);
    // The visitor's session started with this response; the binding is in the first HTML.
    expect(response.headers.get('set-cookie')).toMatch(/^oz_demo_session=/);
    expect(html).toMatch(/ binding="[A-Za-z0-9_-]{43}"/);
  });

  it('without JavaScript the button is visible, styled and laid out', async () => {
    context = await browser.newContext({ javaScriptEnabled: false });
    const page = await context.newPage();
    await page.goto(`${stack.demoUrl}/ssr/`);
    const button = page.locator('oz-liveness-check').locator('button[part="button"]');
    expect(await button.isVisible()).toBe(true);
    expect(((await button.textContent()) ?? '').trim()).toBe(SPANISH_LABEL);
    const box = await button.boundingBox();
    // min-height 2.75rem and the label's width: the element's own styles, from the shadow root.
    expect(box?.height).toBeGreaterThanOrEqual(44);
    expect(box?.width).toBeGreaterThan(150);
    expect(await button.evaluate((el) => getComputedStyle(el).backgroundColor)).toBe(
      'rgb(29, 78, 216)',
    );
    // Not upgraded: no script ran, what shows is the server's HTML alone.
    expect(await page.evaluate(() => customElements.get('oz-liveness-check'))).toBe(undefined);
  });

  it('hydrates without a second render or a layout shift, then runs to ACCEPT as a form field', async () => {
    context = await browser.newContext();
    const page = await context.newPage();
    const problems: string[] = [];
    page.on('pageerror', (error) => problems.push(error.message));
    page.on('console', (message) => {
      if (message.type() === 'error' || message.type() === 'warning') problems.push(message.text());
    });
    // Layout shifts from the first paint on, taken by the test when it asks.
    await page.addInitScript(() => {
      const w = globalThis as unknown as { shifts: number[]; shiftObserver: PerformanceObserver };
      w.shifts = [];
      const record = (entries: PerformanceEntryList) => {
        for (const entry of entries) w.shifts.push((entry as unknown as { value: number }).value);
      };
      w.shiftObserver = new PerformanceObserver((list) => record(list.getEntries()));
      w.shiftObserver.observe({ type: 'layout-shift', buffered: true });
    });
    // Hold the page's script until the server's DOM has been painted and is being watched.
    let release!: () => void;
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    await page.route(/\/assets\/ssr-[\w-]+\.js$/, async (route) => {
      await held;
      await route.continue();
    });

    await page.goto(`${stack.demoUrl}/ssr/`, { waitUntil: 'commit' });
    await page.waitForFunction(() =>
      document.querySelector('oz-liveness-check')?.shadowRoot?.querySelector('button'),
    );
    await twoFrames(page);
    await page.evaluate(() => {
      const w = globalThis as unknown as { serverButton: Element; changes: string[] };
      const root = document.querySelector('oz-liveness-check')!.shadowRoot!;
      w.serverButton = root.querySelector('button')!;
      w.changes = [];
      new MutationObserver((records) => {
        for (const r of records)
          w.changes.push(`${r.type} ${r.attributeName ?? ''} on ${r.target.nodeName}`);
      }).observe(root, { subtree: true, childList: true, attributes: true, characterData: true });
    });
    expect(await page.evaluate(() => customElements.get('oz-liveness-check'))).toBe(undefined);

    release();
    const check = page.locator('oz-liveness-check');
    await page.waitForFunction(() => {
      const el = document.querySelector('oz-liveness-check') as unknown as { hasUpdated?: boolean };
      return el.hasUpdated === true;
    });
    await check.evaluate(
      (el) => (el as unknown as { updateComplete: Promise<unknown> }).updateComplete,
    );
    await twoFrames(page);

    const after = await page.evaluate(() => {
      const w = globalThis as unknown as {
        serverButton: Element;
        changes: string[];
        shifts: number[];
        shiftObserver: PerformanceObserver;
      };
      for (const entry of w.shiftObserver.takeRecords()) {
        w.shifts.push((entry as unknown as { value: number }).value);
      }
      const el = document.querySelector('oz-liveness-check') as HTMLElement & {
        form: HTMLFormElement | null;
      };
      return {
        sameButton: el.shadowRoot!.querySelector('button') === w.serverButton,
        label: w.serverButton.textContent?.trim(),
        changes: w.changes,
        shifts: w.shifts,
        formAssociated: el.form === document.querySelector('#signup'),
        state: el.getAttribute('state'),
      };
    });
    expect(after).toEqual({
      sameButton: true,
      label: SPANISH_LABEL,
      changes: [],
      shifts: [],
      formAssociated: true,
      state: 'idle',
    });

    // Hydrated, not just upgraded: the server's button now runs the check.
    await page.getByLabel('Nombre completo').fill('Ada Lovelace');
    await check.locator('button').click();
    await page.locator('#oz-sandbox-overlay [data-outcome="genuine"]').click();
    await expect
      .poll(() => textOf(page, 'decision'), { timeout: FLOW_TIMEOUT_MS, interval: 100 })
      .toBe('ACCEPT');
    const receipt = await page.evaluate(() =>
      String(new FormData(document.querySelector('form')!).get('liveness')),
    );
    expect(await verifyReceipt(receipt, stack.receiptSecret)).toMatchObject({ decision: 'ACCEPT' });
    await page.getByRole('button', { name: 'Crear cuenta' }).click();
    await expect
      .poll(() => textOf(page, 'server-verdict'), { timeout: FLOW_TIMEOUT_MS, interval: 100 })
      .toMatch(/Ada Lovelace passed/);
    expect(problems).toEqual([]);
  });
});
