// End to end: the element, the real sandbox Web Plugin with Chromium's fake camera, the real
// gateway (logged in to the sandbox Oz API), all started by web-test-runner.config.mjs.
import { expect, fixture, html } from '@open-wc/testing';
import { sendKeys } from '@web/test-runner-commands';
import { oz, ozConfig, type SandboxRequest, sha256Hex, until } from '../test/browser/oz-env.js';
import './define.js';
import type { LivenessErrorDetail } from './errors.js';
import type { LivenessCapturedEvent } from './events.js';
import { OzLivenessCheck } from './liveness-check.js';
import type { LivenessResult } from './types.js';

type Outcome = 'genuine' | 'spoof' | 'review' | 'system_error';

interface Recorded {
  type: string;
  detail: Record<string, unknown>;
}

function record(el: HTMLElement): Recorded[] {
  const events: Recorded[] = [];
  for (const type of [
    'oz-liveness-state',
    'oz-liveness-captured',
    'oz-liveness-progress',
    'oz-liveness-result',
    'oz-liveness-error',
    'oz-liveness-cancel',
  ]) {
    // On the document: every event must bubble out of the shadow root (composed).
    document.addEventListener(type, (event) => {
      if (event.target === el) events.push({ type, detail: (event as CustomEvent).detail });
    });
  }
  return events;
}

/** The compact sequence: progress events collapsed, states shown as `state:<name>`. */
function sequence(events: Recorded[]): string[] {
  const out: string[] = [];
  for (const e of events) {
    const name = e.type === 'oz-liveness-state' ? `state:${e.detail.state}` : e.type.slice(12);
    if (out.at(-1) !== name || name !== 'progress') out.push(name);
  }
  return out;
}

async function mount(
  attrs: { endpoint?: string; pluginSrc?: string } = {},
): Promise<OzLivenessCheck> {
  const c = await ozConfig();
  return fixture<OzLivenessCheck>(html`
    <oz-liveness-check
      endpoint=${attrs.endpoint ?? c.gatewayUrl}
      plugin-src=${attrs.pluginSrc ?? c.pluginSrc}
    ></oz-liveness-check>
  `);
}

function button(el: OzLivenessCheck): HTMLButtonElement {
  const found = el.shadowRoot?.querySelector<HTMLButtonElement>('[part="button"]');
  if (!found) throw new Error('no button');
  return found;
}

/** Clicks the sandbox overlay's outcome once the clip is recorded (like a tester would). */
async function choose(outcome: Outcome): Promise<void> {
  const pick = await until(
    () =>
      document.querySelector<HTMLButtonElement>(
        `#oz-sandbox-overlay [data-outcome="${outcome}"]:not([disabled])`,
      ),
    `the ${outcome} button of the sandbox plugin`,
  );
  pick.click();
}

function waitFor<T = unknown>(el: HTMLElement, type: string): Promise<T> {
  return new Promise((resolve) =>
    el.addEventListener(type, (e) => resolve((e as CustomEvent).detail as T), { once: true }),
  );
}

async function sandboxRequests(): Promise<SandboxRequest[]> {
  return oz<SandboxRequest[]>('sandbox.requests');
}
const folderPosts = (log: SandboxRequest[]) =>
  log.filter((r) => r.method === 'POST' && r.path.startsWith('/api/instant/folders'));
// Tokens Oz gave out (a 401 first is the gateway re-logging in after the sandbox reset).
const tokenGets = (log: SandboxRequest[]) =>
  log.filter((r) => r.path.startsWith('/api/authorize/session_token') && r.status === 200);

const decisions: Array<[Outcome, string, string]> = [
  ['genuine', 'ACCEPT', 'accepted'],
  ['spoof', 'REJECT', 'rejected'],
  ['review', 'REVIEW', 'review'],
  ['system_error', 'RETRY', 'retry'],
];

describe('<oz-liveness-check> end to end (sandbox plugin, fake camera, real gateway)', () => {
  before(async () => {
    // The sandbox serves the plugin from its own origin, which this page has to trust.
    OzLivenessCheck.trustedPluginOrigins = [(await ozConfig()).sandboxUrl];
  });

  beforeEach(async () => {
    await oz('sandbox.reset');
  });

  it('runs the whole flow to ACCEPT: events in order, capsule uploaded byte for byte, one trace', async () => {
    const el = await mount();
    // The page's own trace (as a RUM SDK would give): element → gateway → Oz continue it.
    const traceId = Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) =>
      b.toString(16).padStart(2, '0'),
    ).join('');
    const pageSpan = 'f00dfeedcafe0001';
    el.traceparent = `00-${traceId}-${pageSpan}-01`;
    const events = record(el);
    let captured: Blob | undefined;
    el.addEventListener('oz-liveness-captured', (e: LivenessCapturedEvent) => {
      captured = e.detail.capsule;
    });
    await expect(el).to.be.accessible();

    button(el).click();
    await choose('genuine');
    const { result } = await waitFor<{ result: LivenessResult }>(el, 'oz-liveness-result');

    expect(sequence(events)).to.deep.equal([
      'state:preparing',
      'state:capturing',
      'captured',
      'state:uploading',
      'progress',
      'state:done',
      'result',
    ]);
    expect(events[0]?.detail).to.deep.equal({ state: 'preparing', previous: 'idle' });
    const capturedDetail = events.find((e) => e.type === 'oz-liveness-captured')?.detail;
    expect(capturedDetail?.action).to.equal('video_selfie_blank');
    expect(capturedDetail?.capsule).to.be.instanceOf(Blob);
    const progress = events.filter((e) => e.type === 'oz-liveness-progress').at(-1)?.detail;
    expect(progress?.loaded).to.equal(progress?.total);
    expect(progress?.total as number).to.be.greaterThan((captured as Blob).size);

    expect(result.decision).to.equal('ACCEPT');
    expect(result.resolutionStatus).to.equal('FINISHED');
    expect(result.systemResolution).to.equal('SUCCESS');
    expect(result.receipt.split('.')).to.have.length(3);
    expect(result.analyses[0]?.type).to.equal('QUALITY');
    expect(el.state).to.equal('done');
    expect(el.getAttribute('state')).to.equal('done');
    expect(el.matches(':state(done)')).to.equal(true);
    expect(el.result).to.deep.equal(result);
    expect(el.value).to.equal(result.receipt);

    const log = await sandboxRequests();
    expect(tokenGets(log)).to.have.length(1);
    const posts = folderPosts(log);
    expect(posts).to.have.length(1);
    expect(posts[0]?.bodyLength).to.equal((captured as Blob).size);
    expect(posts[0]?.bodySha256).to.equal(await sha256Hex(captured as Blob));
    await expect(el).to.be.accessible();

    // Oz got the browser's trace id on both calls, from the gateway's spans under the page's.
    const atOz = new RegExp(`^00-${traceId}-[0-9a-f]{16}-01$`);
    expect(tokenGets(log)[0]?.headers.traceparent).to.match(atOz);
    expect(posts[0]?.headers.traceparent).to.match(atOz);
    const spans = await oz<Array<{ name: string; parentSpanId?: string }>>('trace.spans', {
      traceId,
      names: ['query sessionToken', 'mutation submitCapsule'],
    });
    for (const name of ['query sessionToken', 'mutation submitCapsule']) {
      expect(spans.find((s) => s.name === name)?.parentSpanId, name).to.equal(pageSpan);
    }
  });

  for (const [outcome, decision, view] of decisions.slice(1)) {
    it(`ends in ${decision} when the capture is ${outcome}, with its result view`, async () => {
      const el = await mount();
      const done = waitFor<{ result: LivenessResult }>(el, 'oz-liveness-result');
      const started = el.start();
      await choose(outcome);
      const { result } = await done;
      expect(await started).to.deep.equal(result);
      expect(result.decision).to.equal(decision);
      expect(el.value).to.equal('');
      await el.updateComplete;
      const resultView = el.shadowRoot?.querySelector('[part="result"] slot');
      expect(resultView?.getAttribute('name')).to.equal(view);
      // Every decision but ACCEPT offers another try.
      expect(button(el).textContent?.trim()).to.equal('Try again');
      await expect(el).to.be.accessible();
    });
  }

  it('with a binding, the gateway signs its hash into the receipt (bnd)', async () => {
    const el = await mount();
    el.binding = 'host-session-e2e';
    const started = el.start();
    await choose('genuine');
    const result = await started;
    const claims = JSON.parse(
      atob(result.receipt.split('.')[1]?.replace(/-/g, '+').replace(/_/g, '/') ?? ''),
    ) as { tid: string; bnd?: string };
    const digest = await crypto.subtle.digest(
      'SHA-256',
      new TextEncoder().encode('host-session-e2e'),
    );
    const expected = btoa(String.fromCharCode(...new Uint8Array(digest)))
      .replace(/\+/g, '-')
      .replace(/\//g, '_')
      .replace(/=+$/, '');
    expect(claims.bnd).to.equal(expected);
    expect(claims.tid).to.equal(result.transactionId);
  });

  it('completes by keyboard alone and gives focus back to the element', async () => {
    const c = await ozConfig();
    const form = await fixture<HTMLFormElement>(html`
      <form>
        <input aria-label="Name" id="before" />
        <oz-liveness-check endpoint=${c.gatewayUrl} plugin-src=${c.pluginSrc}></oz-liveness-check>
      </form>
    `);
    const el = form.querySelector('oz-liveness-check') as OzLivenessCheck;
    (form.querySelector('#before') as HTMLInputElement).focus();
    await sendKeys({ press: 'Tab' });
    expect(el.shadowRoot?.activeElement).to.equal(button(el));
    const done = waitFor<{ result: LivenessResult }>(el, 'oz-liveness-result');
    await sendKeys({ press: 'Enter' });
    // The sandbox dialog takes focus, then moves it to the first outcome (genuine) once ready.
    await until(
      () => document.activeElement?.getAttribute('data-outcome') === 'genuine',
      'focus on the genuine outcome',
    );
    await sendKeys({ press: 'Space' });
    const { result } = await done;
    expect(result.decision).to.equal('ACCEPT');
    await el.updateComplete;
    expect(el.matches(':focus-within')).to.equal(true);
  });

  it('treats Escape in the plugin as a cancel and gives focus back to the button', async () => {
    const el = await mount();
    button(el).focus();
    const cancelled = waitFor(el, 'oz-liveness-cancel');
    button(el).click();
    await until(() => document.querySelector('#oz-sandbox-overlay'), 'the sandbox overlay');
    await until(() => !el.matches(':focus-within'), 'focus inside the overlay');
    await sendKeys({ press: 'Escape' });
    expect(await cancelled).to.deep.equal({});
    await el.updateComplete;
    expect(el.state).to.equal('idle');
    expect(el.shadowRoot?.activeElement).to.equal(button(el));
    expect(document.querySelector('#oz-sandbox-overlay')).to.equal(null);
  });

  it('is accessible while preparing, capturing and uploading', async () => {
    const el = await mount();
    await oz('sandbox.fault', {
      fault: { kind: 'latency', ms: 1500, path: '/api/authorize/session_token' },
    });
    const started = el.start();
    await until(() => el.state === 'preparing', 'preparing');
    await el.updateComplete;
    await expect(el).to.be.accessible();
    await until(() => el.state === 'capturing', 'capturing');
    await el.updateComplete;
    await expect(el).to.be.accessible();
    await oz('sandbox.fault', {
      fault: { kind: 'latency', ms: 1500, path: '/api/instant/folders/' },
    });
    await choose('genuine');
    await until(() => el.state === 'uploading', 'uploading');
    await el.updateComplete;
    const bar = el.shadowRoot?.querySelector('progress');
    expect(bar?.getAttribute('aria-label')).to.equal('Upload progress');
    await expect(el).to.be.accessible();
    expect((await started).decision).to.equal('ACCEPT');
  });

  it('retries an upload cut mid-way with the same capsule and transactionId', async () => {
    const c = await ozConfig();
    const el = await mount({ endpoint: c.proxiedGatewayUrl });
    const events = record(el);
    let captured: Blob | undefined;
    el.addEventListener('oz-liveness-captured', (e: LivenessCapturedEvent) => {
      captured = e.detail.capsule;
    });
    await oz('proxy.cut', { count: 1 });
    const started = el.start();
    await choose('genuine');
    const result = await started;
    expect(result.decision).to.equal('ACCEPT');
    // Two uploads went through the proxy, each on its own connection (so not a browser-level
    // replay): the cut one and the element's own retry.
    expect(await oz('proxy.stats')).to.deep.equal({ cutsLeft: 0, cutsDone: 1, uploads: 2 });
    expect(events.some((e) => e.type === 'oz-liveness-error')).to.equal(false);
    // The truncated upload never reached Oz; the retried one did, byte for byte.
    const posts = folderPosts(await sandboxRequests());
    expect(posts).to.have.length(1);
    expect(posts[0]?.bodySha256).to.equal(await sha256Hex(captured as Blob));
  });

  it('retries when Oz is unavailable once (OZ_UNAVAILABLE, retry UPLOAD) and ends in ACCEPT', async () => {
    const el = await mount();
    await oz('sandbox.fault', {
      fault: { kind: 'status', status: 503, path: '/api/instant/folders/' },
    });
    const started = el.start();
    await choose('genuine');
    expect((await started).decision).to.equal('ACCEPT');
    const posts = folderPosts(await sandboxRequests());
    expect(posts.map((p) => p.status)).to.deep.equal([503, 201]);
    expect(posts[0]?.bodySha256).to.equal(posts[1]?.bodySha256);
  });

  it('offers a new capture with a new token when Oz rejects the capsule (code 14)', async () => {
    const el = await mount();
    const errors: LivenessErrorDetail[] = [];
    el.addEventListener('oz-liveness-error', (e) => errors.push(e.detail));
    await oz('sandbox.fault', {
      fault: {
        kind: 'status',
        status: 400,
        path: '/api/instant/folders/',
        body: JSON.stringify({
          error_code: 14,
          error_message: 'Invalid or empty Session Token',
          details: null,
        }),
      },
    });
    const first = el.start();
    await choose('genuine');
    const failure = await first.then(
      () => null,
      (e: { code: string; retry: string }) => e,
    );
    expect(failure?.code).to.equal('CAPSULE_REJECTED');
    expect(errors).to.have.length(1);
    expect(errors[0]).to.include({ code: 'CAPSULE_REJECTED', retry: 'CAPTURE', vendorCode: '14' });
    expect(el.state).to.equal('error');
    await el.updateComplete;
    await expect(el).to.be.accessible();

    const done = waitFor<{ result: LivenessResult }>(el, 'oz-liveness-result');
    expect(button(el).textContent?.trim()).to.equal('Try again');
    button(el).click();
    await choose('genuine');
    expect((await done).result.decision).to.equal('ACCEPT');
    expect(tokenGets(await sandboxRequests())).to.have.length(2);
  });

  it('reports CAPSULE_TOO_LARGE from a gateway with a small capsule limit', async () => {
    const c = await ozConfig();
    const el = await mount({ endpoint: c.tinyGatewayUrl });
    const failed = waitFor<LivenessErrorDetail>(el, 'oz-liveness-error');
    el.start().catch(() => {});
    await choose('genuine');
    expect(await failed).to.include({ code: 'CAPSULE_TOO_LARGE', retry: 'CAPTURE' });
    expect(folderPosts(await sandboxRequests())).to.have.length(0);
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

  it('reports CAMERA_NOT_FOUND from the plugin when the camera cannot be opened', async () => {
    const devices = navigator.mediaDevices;
    const original = devices.getUserMedia;
    devices.getUserMedia = () =>
      Promise.reject(new DOMException('Requested device not found', 'NotFoundError'));
    try {
      const el = await mount();
      const error = await el.start().catch((e: LivenessErrorDetail) => e);
      expect(error).to.include({ code: 'CAMERA_NOT_FOUND', vendorCode: 'CAMERA_NOT_FOUND' });
    } finally {
      devices.getUserMedia = original;
    }
  });

  it('reports CAPTURE_FAILED with the plugin code when the clip cannot be recorded', async () => {
    const original = Object.getOwnPropertyDescriptor(window, 'MediaRecorder');
    Object.defineProperty(window, 'MediaRecorder', { value: undefined, configurable: true });
    try {
      const el = await mount();
      const error = await el.start().catch((e: LivenessErrorDetail) => e);
      expect(error).to.include({ code: 'CAPTURE_FAILED', vendorCode: 'CAPTURE_FAILED' });
    } finally {
      if (original) Object.defineProperty(window, 'MediaRecorder', original);
    }
  });

  it('reports PLUGIN_LOAD_FAILED when the plugin URL answers 404', async () => {
    const c = await ozConfig();
    // As on a page that never loaded the plugin (the earlier tests here did).
    const page = window as { OzLiveness?: unknown };
    const loaded = page.OzLiveness;
    delete page.OzLiveness;
    try {
      const el = await mount({ pluginSrc: `${c.sandboxUrl}/no-such-plugin.php` });
      const error = await el.start().catch((e: LivenessErrorDetail) => e);
      expect(error).to.include({ code: 'PLUGIN_LOAD_FAILED', retry: 'CAPTURE' });
      expect(tokenGets(await sandboxRequests())).to.have.length(0);
      await el.updateComplete;
      await expect(el).to.be.accessible();
    } finally {
      page.OzLiveness = loaded;
    }
  });

  it('reports NETWORK after three tries when the gateway is down', async () => {
    const port = await oz<number>('closed-port');
    const el = await mount({ endpoint: `http://127.0.0.1:${port}/graphql` });
    const error = await el.start().catch((e: LivenessErrorDetail) => e);
    expect(error).to.include({ code: 'NETWORK', retry: 'UPLOAD' });
    expect(el.state).to.equal('error');
  });

  it('passes OZ_UNAVAILABLE through when Oz cannot give session tokens', async () => {
    await oz('sandbox.fault', {
      fault: { kind: 'status', status: 503, count: 3, path: '/api/authorize/session_token' },
    });
    const el = await mount();
    const error = await el.start().catch((e: LivenessErrorDetail) => e);
    expect(error).to.include({ code: 'OZ_UNAVAILABLE', retry: 'UPLOAD' });
    const tries = (await sandboxRequests()).filter((r) => r.status === 503);
    expect(tries).to.have.length(3);
  });

  it('passes RATE_LIMITED through when the gateway limits session tokens', async () => {
    const c = await ozConfig();
    const el = await mount({ endpoint: c.strictGatewayUrl });
    el.captureEngine = {
      // The first token is spent on a capture the person closes; the second is over the limit.
      capture: async () => {
        throw new DOMException('closed', 'AbortError');
      },
    };
    await el.start().catch(() => {});
    const error = await el.start().catch((e: LivenessErrorDetail) => e);
    expect(error).to.include({ code: 'RATE_LIMITED', retry: 'UPLOAD' });
    await el.updateComplete;
    expect(el.shadowRoot?.querySelector('[part="status"]')?.textContent?.trim()).to.equal(
      'Too many attempts. Please wait a minute, then try again.',
    );
  });

  it('passes OZ_AUTH_FAILED through when the gateway cannot log in to Oz', async () => {
    const c = await ozConfig();
    const el = await mount({ endpoint: c.misconfiguredGatewayUrl });
    const error = await el.start().catch((e: LivenessErrorDetail) => e);
    expect(error).to.include({ code: 'OZ_AUTH_FAILED', retry: 'NONE' });
  });

  it('reports SESSION_TOKEN_FAILED when the endpoint is not a GraphQL gateway', async () => {
    const el = await mount({ endpoint: '/no-graphql-here' });
    const error = await el.start().catch((e: LivenessErrorDetail) => e);
    expect(error).to.include({ code: 'SESSION_TOKEN_FAILED' });
  });

  it('is a form field: required blocks submit until ACCEPT, FormData has the receipt, reset clears it', async () => {
    const c = await ozConfig();
    const form = await fixture<HTMLFormElement>(html`
      <form>
        <oz-liveness-check
          name="liveness"
          required
          endpoint=${c.gatewayUrl}
          plugin-src=${c.pluginSrc}
        ></oz-liveness-check>
        <button>Send</button>
      </form>
    `);
    const el = form.querySelector('oz-liveness-check') as OzLivenessCheck;
    let submitted = 0;
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      submitted += 1;
    });
    await el.updateComplete;
    expect(form.checkValidity()).to.equal(false);
    expect(el.validity.valueMissing).to.equal(true);
    expect(el.validationMessage).to.equal('Please complete the liveness check.');
    form.requestSubmit();
    expect(submitted).to.equal(0);
    expect(new FormData(form).has('liveness')).to.equal(false);

    const started = el.start();
    await choose('genuine');
    const result = await started;
    await el.updateComplete;
    expect(form.checkValidity()).to.equal(true);
    expect(new FormData(form).get('liveness')).to.equal(result.receipt);
    const claims = JSON.parse(
      atob((result.receipt.split('.')[1] ?? '').replace(/-/g, '+').replace(/_/g, '/')),
    );
    expect(claims).to.include({ decision: 'ACCEPT', tid: result.transactionId });
    form.requestSubmit();
    expect(submitted).to.equal(1);

    form.reset();
    await el.updateComplete;
    expect(el.state).to.equal('idle');
    expect(el.value).to.equal('');
    expect(new FormData(form).has('liveness')).to.equal(false);
    expect(form.checkValidity()).to.equal(false);
  });
});
