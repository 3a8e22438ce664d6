// Tests whose technique only Chromium honours. CDP, which neither WebDriver BiDi (Firefox) nor
// WebKitWebDriver offers: emulated `prefers-reduced-motion`, Chromium's permission store
// blocking the camera for the site. A faked `window.isSecureContext`: in WebKitGTK, after a
// previous test file ran in the same window, the element's pre-flight went on reading the real
// value while the test read the fake one. The Firefox and WebKit configs leave this file out;
// camera denied in Firefox runs in apps/demo's engine matrix (a Firefox with the camera
// blocked); the pre-flight's own logic runs everywhere (preflight.test.ts, injected values).
import { expect, fixture, html } from '@open-wc/testing';
import { emulateMedia } from '@web/test-runner-commands';
import { FakeEngine } from '../test/browser/fake-engine.js';
import { oz, ozConfig, type SandboxRequest, until } from '../test/browser/oz-env.js';
import './define.js';
import type { LivenessErrorDetail } from './errors.js';
import { OzLivenessCheck } from './liveness-check.js';

const button = (el: OzLivenessCheck) =>
  el.shadowRoot?.querySelector<HTMLButtonElement>('[part="button"]') ?? null;
const status = (el: OzLivenessCheck) =>
  el.shadowRoot?.querySelector('[part="status"]')?.textContent?.trim() ?? '';

async function mount(engine?: FakeEngine): Promise<OzLivenessCheck> {
  const c = await ozConfig();
  const el = await fixture<OzLivenessCheck>(
    html`<oz-liveness-check endpoint=${c.gatewayUrl} plugin-src=${c.pluginSrc}></oz-liveness-check>`,
  );
  if (engine) el.captureEngine = engine;
  return el;
}

const tokenGets = (log: SandboxRequest[]) =>
  log.filter((r) => r.path.startsWith('/api/authorize/session_token') && r.status === 200);
const sandboxRequests = () => oz<SandboxRequest[]>('sandbox.requests');

describe('<oz-liveness-check> in Chromium only (CDP)', () => {
  before(async () => {
    OzLivenessCheck.trustedPluginOrigins = [(await ozConfig()).sandboxUrl];
  });

  beforeEach(async () => {
    await oz('sandbox.reset');
  });

  it('reports INSECURE_CONTEXT and UNSUPPORTED_BROWSER from the pre-flight', async () => {
    const el = await mount(new FakeEngine());
    // Shadowed by a getter, then put back as it was (an own accessor in WebKit).
    const own = Object.getOwnPropertyDescriptor(window, 'isSecureContext');
    Object.defineProperty(window, 'isSecureContext', { get: () => false, configurable: true });
    try {
      expect(window.isSecureContext).to.equal(false);
      expect(await el.start().catch((e: LivenessErrorDetail) => e)).to.include({
        code: 'INSECURE_CONTEXT',
        retry: 'NONE',
      });
    } finally {
      if (own) Object.defineProperty(window, 'isSecureContext', own);
      else delete (window as { isSecureContext?: boolean }).isSecureContext;
    }
    expect(window.isSecureContext).to.equal(true);
    await el.updateComplete;
    // Nothing the person can do here: no button, a clear message.
    expect(button(el)).to.equal(null);
    expect(status(el)).to.equal('This browser cannot run the check. Please try another browser.');
    await expect(el).to.be.accessible();

    Object.defineProperty(navigator, 'mediaDevices', { value: undefined, configurable: true });
    try {
      expect(await el.start().catch((e: LivenessErrorDetail) => e)).to.include({
        code: 'UNSUPPORTED_BROWSER',
      });
    } finally {
      delete (navigator as { mediaDevices?: unknown }).mediaDevices;
    }
    expect(navigator.mediaDevices).to.not.equal(undefined);
  });

  it('stops the spinner for people who prefer reduced motion', async () => {
    const engine = new FakeEngine();
    engine.mode = 'manual';
    const el = await mount(engine);
    void el.start().catch(() => {});
    await until(() => engine.waiting, 'the capture');
    await el.updateComplete;
    const spinner = el.shadowRoot?.querySelector('.spinner') as HTMLElement;
    expect(getComputedStyle(spinner).animationName).to.equal('spin');
    await emulateMedia({ reducedMotion: 'reduce' });
    try {
      expect(getComputedStyle(spinner).animationName).to.equal('none');
    } finally {
      await emulateMedia({ reducedMotion: 'no-preference' });
      el.cancel();
    }
  });

  it('reports CAMERA_DENIED when the camera is blocked for the site, before spending a token', async () => {
    await oz('camera.permission', { setting: 'denied' });
    try {
      const el = await mount();
      const error = await el.start().then(
        () => null,
        (e: { code: string }) => e,
      );
      expect(error?.code).to.equal('CAMERA_DENIED');
      expect(el.error).to.include({ code: 'CAMERA_DENIED', retry: 'CAPTURE' });
      expect(tokenGets(await sandboxRequests())).to.have.length(0);
    } finally {
      await oz('camera.permission', { setting: 'reset' });
    }
  });
});
