/**
 * `pnpm test:full`: the rest of the engine matrix. Every framework page to a verified sign-up
 * and a REJECT that blocks the form, in Firefox and WebKit; camera denied in a Firefox with the
 * camera blocked for every site. (WebKitGTK's automation grants every camera request and has no
 * command to refuse one: camera denied is not reproducible there.) The element's own flows in
 * both engines, upload retried after a cut included: packages/element `test:full`.
 */
import { verifyReceipt } from '@oz-liveness/gateway/receipt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FRAMEWORKS } from './support/demo-page.js';
import { type DemoStack, startDemoStack } from './support/demo-stack.js';
import { cameraDenied, rejectBlocksSubmit, signUpWithAccept } from './support/engine-flows.js';
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

  it.each(FRAMEWORKS.filter((framework) => framework !== 'vanilla'))(
    '%s page: genuine → ACCEPT; submit → verdict verified by the server',
    async (framework) => {
      const page = await browser.open(`${stack.demoUrl}/${framework}/`);
      const receipt = await signUpWithAccept(page, 'Ada Lovelace');
      const claims = await verifyReceipt(receipt, stack.receiptSecret);
      expect(claims).toMatchObject({ decision: 'ACCEPT' });
      expect(await page.errors()).toEqual([]);
    },
  );

  it.each(FRAMEWORKS)(
    '%s page: spoof → REJECT keeps the form from submitting',
    async (framework) => {
      const page = await browser.open(`${stack.demoUrl}/${framework}/`);
      await rejectBlocksSubmit(page);
      expect(await page.errors()).toEqual([]);
    },
  );
});

describe('firefox with the camera blocked for every site', () => {
  let browser: EngineBrowser;
  beforeAll(async () => {
    browser = await launchEngine('firefox', { cameraAllowed: false });
  });
  afterAll(async () => {
    await browser?.close();
  });

  it.each(['vanilla', 'react'])(
    '%s page: CAMERA_DENIED, no session token spent',
    async (framework) => {
      await stack.sandbox.control.reset();
      const page = await browser.open(`${stack.demoUrl}/${framework}/`);
      await cameraDenied(page);
      const tokens = (await stack.sandbox.control.requests()).filter((r) =>
        r.path.startsWith('/api/authorize/session_token'),
      );
      expect(tokens).toEqual([]);
    },
  );
});
