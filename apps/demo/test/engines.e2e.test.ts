/**
 * The demo in Firefox and WebKit (`pnpm test`'s slice of the engine matrix): the plain HTML page
 * from name to a sign-up the server verifies, with the real sandbox plugin recording each
 * engine's own clip (WebKitGTK's: JPEG frames). Every page and decision in both engines:
 * engines-matrix.full.test.ts (`pnpm test:full`); Chromium: demo-pages.e2e.test.ts.
 */
import { verifyReceipt } from '@oz-liveness/gateway/receipt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DemoStack, startDemoStack } from './support/demo-stack.js';
import { signUpWithAccept } from './support/engine-flows.js';
import { ENGINES, type EngineBrowser, launchEngine } from './support/engines.js';

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
    const receipt = await signUpWithAccept(page, 'Ada Lovelace');
    expect(await verifyReceipt(receipt, stack.receiptSecret)).toMatchObject({ decision: 'ACCEPT' });
    expect(await page.errors()).toEqual([]);
  });
});
