/**
 * The demo in Firefox and WebKit (`pnpm test`'s slice of the engine matrix): the plain HTML page
 * from name to a sign-up the server verifies, with the real sandbox plugin recording each
 * engine's own clip (WebKitGTK's: JPEG frames), and on the way what could differ between
 * engines: `:state()`, the validity message, focus back after the plugin's dialog, progress. Every page and decision in both engines:
 * engines-matrix.full.test.ts (`pnpm test:full`); Chromium: demo-pages.e2e.test.ts.
 */
import { verifyReceipt } from '@oz-liveness/gateway/receipt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DemoStack, startDemoStack } from './support/demo-stack.js';
import { signUpWithAccept } from './support/engine-flows.js';
import { ENGINES, type EngineBrowser, type EnginePage, launchEngine } from './support/engines.js';

/** `:state(<state>)` matches, the validity message, whether focus is inside the element. */
function element(page: EnginePage, state: string) {
  return page.run<{ state: boolean; message: string; focused: boolean }>(
    `const check = document.querySelector('oz-liveness-check');
    return {
      state: check.matches(':state(' + arguments[0] + ')'),
      message: check.validationMessage,
      focused: check.matches(':focus-within'),
    };`,
    state,
  );
}

let stack: DemoStack;
beforeAll(async () => {
  stack = await startDemoStack();
});
afterAll(async () => {
  await stack?.close();
});

describe.each(ENGINES)('%s', (engine) => {
  let browser: EngineBrowser;
  beforeAll(async () => {
    browser = await launchEngine(engine);
  });
  afterAll(async () => {
    await browser?.close();
  });

  it('vanilla page: genuine → ACCEPT; submit → verdict verified by the server', async () => {
    const page = await browser.open(`${stack.demoUrl}/vanilla/`);
    // Where engines could differ, as the person meets it: custom states, the form's message.
    expect(await element(page, 'idle')).toEqual({
      state: true,
      message: 'Please complete the liveness check.',
      focused: false,
    });
    const receipt = await signUpWithAccept(page, 'Ada Lovelace', async () => {
      // The plugin's dialog took focus and went away: the element has it back.
      expect(await element(page, 'done')).toEqual({ state: true, message: '', focused: true });
    });
    expect(await verifyReceipt(receipt, stack.receiptSecret)).toMatchObject({ decision: 'ACCEPT' });
    expect(await page.errors()).toEqual([]);
  });
});
