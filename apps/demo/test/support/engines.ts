import { firefoxLaunchOptions } from '@oz-liveness/sandbox/firefox';
import { startWebKitDriver } from '@oz-liveness/sandbox/webkit';
import { launch } from 'puppeteer-core';
import { expect } from 'vitest';
import { remote } from 'webdriverio';
import { FLOW_TIMEOUT_MS } from './demo-page.js';

/**
 * The demo pages in Firefox (Debian's firefox-esr, puppeteer-core over WebDriver BiDi) and WebKit
 * (WebKitGTK's MiniBrowser through WebKitWebDriver on Xvfb), behind one small interface so the
 * same steps run in both. Chromium keeps its Playwright suites (demo-page.ts).
 */
export const ENGINES = ['firefox', 'webkit'] as const;
export type Engine = (typeof ENGINES)[number];

export interface EnginePage {
  /** Runs `source` (a function body; `args` as `arguments`) in the page. */
  run<T>(source: string, ...args: unknown[]): Promise<T>;
  /** A real click on the first match of `selector` (`host >>> inner` reaches into a shadow root). */
  click(selector: string): Promise<void>;
  /** Types into the first match of `selector`. */
  type(selector: string, text: string): Promise<void>;
  /** Uncaught exceptions in the page since it loaded. */
  errors(): Promise<string[]>;
}

export interface EngineBrowser {
  readonly engine: Engine;
  /** Opens `url` in a fresh tab once the element's button is enabled (the page is ready). */
  open(url: string): Promise<EnginePage>;
  close(): Promise<void>;
}

export interface LaunchOptions {
  /** Firefox only: `false` blocks the camera for every site (a real "camera denied"). */
  cameraAllowed?: boolean;
}

export function launchEngine(engine: Engine, options: LaunchOptions = {}): Promise<EngineBrowser> {
  return engine === 'firefox' ? launchFirefox(options) : launchWebKit();
}

// In the page, before anything else of the test: uncaught errors from here on are collected.
const COLLECT_ERRORS = `window.__ozErrors ??= [];
  window.addEventListener('error', (event) => window.__ozErrors.push(String(event.message)));
  window.addEventListener('unhandledrejection', (event) =>
    window.__ozErrors.push(String(event.reason)));`;

const READY = `const check = document.querySelector('oz-liveness-check');
  const button = check && check.shadowRoot && check.shadowRoot.querySelector('button');
  return Boolean(button && !button.disabled);`;

async function launchFirefox({ cameraAllowed = true }: LaunchOptions): Promise<EngineBrowser> {
  const browser = await launch(firefoxLaunchOptions({ cameraAllowed }));
  return {
    engine: 'firefox',
    async open(url) {
      const tab = await browser.newPage();
      const errors: string[] = [];
      tab.on('pageerror', (error) => errors.push(String((error as Error).message ?? error)));
      await tab.goto(url);
      const run = <T>(source: string, ...args: unknown[]) =>
        tab.evaluate(new Function(source) as (...a: unknown[]) => T, ...args) as Promise<T>;
      await waitUntil(() => run<boolean>(READY), 'the element to be ready');
      return {
        run,
        click: (selector) => tab.locator(selector).setTimeout(FLOW_TIMEOUT_MS).click(),
        type: (selector, text) => tab.locator(selector).setTimeout(FLOW_TIMEOUT_MS).fill(text),
        errors: async () => errors,
      };
    },
    close: () => browser.close(),
  };
}

async function launchWebKit(): Promise<EngineBrowser> {
  const driver = await startWebKitDriver();
  try {
    const browser = await remote({
      hostname: driver.hostname,
      port: driver.port,
      capabilities: driver.capabilities,
      logLevel: 'silent',
    });
    const run = <T>(source: string, ...args: unknown[]) =>
      browser.execute(source, ...args) as Promise<T>;
    // WebDriver has no shadow-piercing selector: the host, then its shadow root.
    const find = (selector: string) => {
      const [host, inner] = selector.split(' >>> ');
      return inner ? browser.$(host as string).shadow$(inner) : browser.$(host as string);
    };
    return {
      engine: 'webkit',
      async open(url) {
        // One window, navigated: MiniBrowser under WebDriver has no cheap new tab.
        await browser.url(url);
        await run(COLLECT_ERRORS);
        await waitUntil(() => run<boolean>(READY), 'the element to be ready');
        return {
          run,
          async click(selector) {
            const element = find(selector);
            await element.waitForEnabled({ timeout: FLOW_TIMEOUT_MS });
            await element.click();
          },
          async type(selector, text) {
            const element = find(selector);
            await element.waitForDisplayed({ timeout: FLOW_TIMEOUT_MS });
            await element.setValue(text);
          },
          errors: () => run<string[]>('return window.__ozErrors.slice()'),
        };
      },
      async close() {
        await browser.deleteSession().catch(() => {});
        await driver.close();
      },
    };
  } catch (error) {
    await driver.close();
    throw error;
  }
}

/** Polls `check` (a page query) until it holds, within the flow's deadline. */
async function waitUntil(check: () => Promise<boolean>, what: string): Promise<void> {
  await expect.poll(check, { timeout: FLOW_TIMEOUT_MS, interval: 100, message: what }).toBe(true);
}

export function textOf(page: EnginePage, testId: string): Promise<string> {
  return page.run<string>(
    `const found = document.querySelector('[data-testid="' + arguments[0] + '"]');
    return found ? found.textContent.trim() : '';`,
    testId,
  );
}

export async function waitForText(page: EnginePage, testId: string, expected: RegExp) {
  await expect
    .poll(() => textOf(page, testId), { timeout: FLOW_TIMEOUT_MS, interval: 100 })
    .toMatch(expected);
}

/** Presses the element's button, then the outcome in the sandbox plugin's overlay once enabled. */
export async function capture(page: EnginePage, outcome: string): Promise<void> {
  await page.click('oz-liveness-check >>> button');
  await page.click(`#oz-sandbox-overlay [data-outcome="${outcome}"]:not([disabled])`);
}

export function formIsValid(page: EnginePage): Promise<boolean> {
  return page.run<boolean>('return document.querySelector("form").checkValidity()');
}
