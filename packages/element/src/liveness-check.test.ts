// The element against a fake capture engine (the plugin boundary) and a small real GraphQL
// server scripted per test; the real plugin and gateway are in liveness-check.e2e.test.ts.
import { expect, fixture, html } from '@open-wc/testing';
import { emulateMedia, sendKeys } from '@web/test-runner-commands';
import { FakeEngine } from '../test/browser/fake-engine.js';
import { oz, ozConfig, type ScriptedRequest, sha256Hex, until } from '../test/browser/oz-env.js';
import './define.js';
import type { LivenessErrorDetail } from './errors.js';
import type { OzLivenessCheck } from './liveness-check.js';

async function mount(engine = new FakeEngine()): Promise<OzLivenessCheck> {
  const c = await ozConfig();
  const el = await fixture<OzLivenessCheck>(
    html`<oz-liveness-check endpoint=${c.scriptedGatewayUrl}></oz-liveness-check>`,
  );
  el.captureEngine = engine;
  return el;
}

const button = (el: OzLivenessCheck) =>
  el.shadowRoot?.querySelector<HTMLButtonElement>('[part="button"]') ?? null;
const status = (el: OzLivenessCheck) =>
  el.shadowRoot?.querySelector('[part="status"]')?.textContent?.trim() ?? '';
const scripted = () => oz<ScriptedRequest[]>('scripted.requests');
/** A W3C traceparent the element generated: trace id, parent id, sampled. */
const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-01$/;

describe('<oz-liveness-check> with a fake engine and a scripted gateway', () => {
  beforeEach(async () => {
    await oz('scripted.reset');
  });

  it('starts idle: a real button, the state attribute and :state(idle), no events', async () => {
    let events = 0;
    document.addEventListener('oz-liveness-state', () => events++);
    const el = await mount();
    expect(el.state).to.equal('idle');
    expect(el.getAttribute('state')).to.equal('idle');
    expect(el.matches(':state(idle)')).to.equal(true);
    expect(button(el)?.textContent?.trim()).to.equal('Start liveness check');
    expect(el.shadowRoot?.querySelector('[part="status"]')?.getAttribute('aria-live')).to.equal(
      'polite',
    );
    // Property changes are the page's own doing: they never fire events.
    el.lang = 'es';
    el.endpoint = '/elsewhere';
    el.required = true;
    await el.updateComplete;
    expect(events).to.equal(0);
    await expect(el).to.be.accessible();
  });

  it('sends one no-store sessionToken query, then the capsule as a GraphQL multipart request', async () => {
    const engine = new FakeEngine();
    const el = await mount(engine);
    const result = await el.start();
    const [tokenRequest, upload] = await scripted();
    expect(tokenRequest?.operation).to.equal('sessionToken');
    // cache: 'no-store' makes the browser send no-cache headers: no cache anywhere may answer.
    expect(tokenRequest?.headers['cache-control']).to.equal('no-cache');
    expect(tokenRequest?.json?.query).to.contain('sessionToken');

    expect(upload?.operation).to.equal('submitCapsule');
    expect(upload?.headers['apollo-require-preflight']).to.equal('true');
    // One trace for the check (the element's own: no traceparent on the page), a span per request.
    const [tokenTrace, uploadTrace] = [tokenRequest, upload].map((r) =>
      TRACEPARENT.exec(r?.headers.traceparent ?? ''),
    );
    expect(tokenTrace?.[1]).to.be.a('string');
    expect(uploadTrace?.[1]).to.equal(tokenTrace?.[1]);
    expect(uploadTrace?.[2]).not.to.equal(tokenTrace?.[2]);
    expect(upload?.partOrder).to.deep.equal(['operations', 'map', '0']);
    expect(upload?.map).to.deep.equal({ 0: ['variables.capsule'] });
    expect(upload?.operations?.variables).to.deep.equal({
      capsule: null,
      transactionId: engine.requests[0]?.transactionId,
    });
    const file = upload?.parts?.find((p) => p.name === '0');
    expect(file?.type).to.equal('application/octet-stream');
    expect(file?.length).to.equal(engine.capsule.size);
    expect(file?.sha256).to.equal(await sha256Hex(engine.capsule));

    expect(engine.requests[0]).to.include({
      sessionToken: 'scripted-token-1',
      transactionId: 'tx-1',
      lang: 'en',
    });
    expect(engine.requests[0]?.actions).to.deep.equal(['video_selfie_blank']);
    expect(result.receipt).to.equal('receipt-2-ACCEPT');
  });

  it('sends binding as the sessionToken variable; without one, the query it always sent', async () => {
    const el = await mount();
    el.setAttribute('binding', 'session-a');
    await el.updateComplete;
    expect(el.binding).to.equal('session-a');
    await el.start();
    el.reset();
    el.binding = '';
    await el.start();
    const [bound, unbound] = (await scripted()).filter((r) => r.operation === 'sessionToken');
    expect(bound?.json?.query).to.contain('sessionToken(binding: $binding)');
    expect(bound?.json?.variables).to.deep.equal({ binding: 'session-a' });
    // A gateway older than `binding` still understands the element of a page that sets none.
    expect(unbound?.json).to.deep.equal({
      query: 'query OzLivenessSessionToken { sessionToken { token expiresAt transactionId } }',
    });
  });

  it("continues the page's traceparent on both requests; each check of its own starts a new trace", async () => {
    const el = await mount();
    const page = `00-${'ab'.repeat(16)}-${'cd'.repeat(8)}-01`;
    el.setAttribute('traceparent', page);
    await el.start();
    el.reset();
    // Not a version-00 traceparent (all-zero trace id): ignored, the element starts its own.
    el.traceparent = `00-${'0'.repeat(32)}-${'cd'.repeat(8)}-01`;
    await el.start();
    el.reset();
    el.traceparent = '';
    await el.start();
    const headers = (await scripted()).map((r) => r.headers.traceparent ?? '');
    expect(headers.slice(0, 2)).to.deep.equal([page, page]);
    const [second, third] = [headers.slice(2, 4), headers.slice(4, 6)].map((pair) =>
      pair.map((h) => TRACEPARENT.exec(h)?.[1]),
    );
    expect(second?.[0]).to.be.a('string').and.not.equal('0'.repeat(32));
    expect(second?.[1]).to.equal(second?.[0]);
    expect(third?.[1]).to.equal(third?.[0]);
    expect(third?.[0]).not.to.equal(second?.[0]);
  });

  it('fixes the binding when a check starts: a change later applies to the next check only', async () => {
    const engine = new FakeEngine();
    engine.mode = 'manual';
    const el = await mount(engine);
    el.binding = 'session-a';
    const first = el.start();
    // Changed at once (the token request is not even sent yet) and again mid-capture.
    el.binding = 'session-b';
    await until(() => engine.waiting, 'the capture to start');
    el.setAttribute('binding', 'session-c');
    engine.complete();
    await first;
    el.reset();
    const second = el.start();
    await until(() => engine.waiting, 'the second capture');
    engine.complete();
    await second;
    const tokens = (await scripted()).filter((r) => r.operation === 'sessionToken');
    expect(tokens.map((t) => t.json?.variables?.binding)).to.deep.equal(['session-a', 'session-c']);
    const uploads = (await scripted()).filter((r) => r.operation === 'submitCapsule');
    expect(uploads.map((u) => u.operations?.variables.transactionId)).to.deep.equal([
      engine.requests[0]?.transactionId,
      engine.requests[1]?.transactionId,
    ]);
  });

  it('never hands an expiring token to the plugin: it fetches a fresh one', async () => {
    await oz('scripted.script', { steps: [{ operation: 'sessionToken', ttlS: 20 }] });
    const engine = new FakeEngine();
    const el = await mount(engine);
    el.action = 'video_selfie_smile  video_selfie_left';
    await el.start();
    const tokens = (await scripted()).filter((r) => r.operation === 'sessionToken');
    expect(tokens).to.have.length(2);
    expect(engine.requests).to.have.length(1);
    expect(engine.requests[0]?.sessionToken).to.equal('scripted-token-2');
    expect(engine.requests[0]?.actions).to.deep.equal(['video_selfie_smile', 'video_selfie_left']);
  });

  it('gives up with SESSION_TOKEN_FAILED when every token is already expiring', async () => {
    await oz('scripted.script', {
      steps: [
        { operation: 'sessionToken', ttlS: 5 },
        { operation: 'sessionToken', ttlS: -60 },
      ],
    });
    const engine = new FakeEngine();
    const el = await mount(engine);
    const error = await el.start().catch((e: LivenessErrorDetail) => e);
    expect(error).to.include({ code: 'SESSION_TOKEN_FAILED' });
    expect(engine.requests).to.have.length(0);
  });

  it('after NETWORK (retries spent) the next start() uploads the same capsule without a capture', async () => {
    await oz('scripted.script', {
      steps: [
        { operation: 'submitCapsule', destroy: true },
        { operation: 'submitCapsule', destroy: true },
        { operation: 'submitCapsule', destroy: true },
      ],
    });
    const engine = new FakeEngine();
    const el = await mount(engine);
    const errors: LivenessErrorDetail[] = [];
    el.addEventListener('oz-liveness-error', (e) => errors.push(e.detail));
    const error = await el.start().catch((e: LivenessErrorDetail) => e);
    expect(error).to.include({ code: 'NETWORK', retry: 'UPLOAD' });
    expect(errors).to.have.length(1);
    expect(errors[0]).to.include({ code: 'NETWORK', retry: 'UPLOAD' });
    await el.updateComplete;
    expect(status(el)).to.equal('Connection problem. Check your connection, then try again.');
    expect(button(el)?.textContent?.trim()).to.equal('Try again');

    button(el)?.click();
    await until(() => el.state === 'done', 'done');
    expect(engine.requests).to.have.length(1);
    const uploads = (await scripted()).filter((r) => r.operation === 'submitCapsule');
    expect(uploads).to.have.length(4);
    const ids = uploads.map((u) => u.operations?.variables.transactionId);
    expect(new Set(ids).size).to.equal(1);
    // The resumed upload stays in the trace of its capture.
    const traces = (await scripted()).map(
      (r) => TRACEPARENT.exec(r.headers.traceparent ?? '')?.[1],
    );
    expect(traces).to.have.length(5);
    expect(new Set(traces).size).to.equal(1);
    expect(new Set(uploads.map((u) => u.parts?.find((p) => p.name === '0')?.sha256)).size).to.equal(
      1,
    );
  });

  it('retries UPLOAD_TIMEOUT and SERVICE_UNAVAILABLE like any retry UPLOAD: same capsule and transactionId, waiting as asked', async () => {
    await oz('scripted.script', {
      steps: [
        {
          operation: 'submitCapsule',
          status: 408,
          errors: [
            {
              message: 'The capsule did not fully arrive within 60000 ms; send it again.',
              extensions: { code: 'UPLOAD_TIMEOUT', retry: 'UPLOAD', timeoutMs: 60000 },
            },
          ],
        },
        {
          operation: 'submitCapsule',
          status: 503,
          headers: { 'retry-after': '1' },
          errors: [
            {
              message: 'This gateway is taking as many uploads as it can; try again shortly.',
              extensions: { code: 'SERVICE_UNAVAILABLE', retry: 'UPLOAD', retryAfterSeconds: 1 },
            },
          ],
        },
      ],
    });
    const engine = new FakeEngine();
    const el = await mount(engine);
    const errors: LivenessErrorDetail[] = [];
    el.addEventListener('oz-liveness-error', (e) => errors.push(e.detail));

    const result = await el.start();
    expect(result.decision).to.equal('ACCEPT');
    expect(errors).to.deep.equal([]);
    expect(el.state).to.equal('done');
    // One capture, three uploads of it under one transactionId.
    expect(engine.requests).to.have.length(1);
    const uploads = (await scripted()).filter((r) => r.operation === 'submitCapsule');
    expect(uploads).to.have.length(3);
    expect(new Set(uploads.map((u) => u.operations?.variables.transactionId))).to.deep.equal(
      new Set([engine.requests[0]?.transactionId]),
    );
    const capsuleSha = await sha256Hex(engine.capsule);
    for (const upload of uploads) {
      expect(upload.parts?.find((p) => p.name === '0')?.sha256).to.equal(capsuleSha);
    }
    // After SERVICE_UNAVAILABLE it waited the second the gateway asked for (timers only run late).
    expect((uploads[2]?.at ?? 0) - (uploads[1]?.at ?? 0)).to.be.at.least(1000);
  });

  it('passes gateway errors through with their retry hint and Oz code', async () => {
    await oz('scripted.script', {
      steps: [
        {
          operation: 'submitCapsule',
          errors: [
            {
              message: 'Oz refused the capsule',
              extensions: { code: 'CAPSULE_REJECTED', retry: 'CAPTURE', ozErrorCode: 5 },
            },
          ],
        },
      ],
    });
    const el = await mount();
    const error = await el.start().catch((e: Error & LivenessErrorDetail) => e);
    expect(error).to.be.instanceOf(Error);
    expect(error).to.include({
      code: 'CAPSULE_REJECTED',
      retry: 'CAPTURE',
      vendorCode: '5',
      message: 'Oz refused the capsule',
    });
    expect(el.error).to.deep.equal({
      code: 'CAPSULE_REJECTED',
      retry: 'CAPTURE',
      vendorCode: '5',
      message: 'Oz refused the capsule',
    });
    expect(el.matches(':state(error)')).to.equal(true);
  });

  it('cancel() closes the capture, fires oz-liveness-cancel and goes back to idle', async () => {
    const engine = new FakeEngine();
    engine.mode = 'manual';
    const el = await mount(engine);
    const seen: string[] = [];
    el.addEventListener('oz-liveness-cancel', (e) =>
      seen.push(`cancel ${JSON.stringify(e.detail)}`),
    );
    el.addEventListener('oz-liveness-state', (e) => seen.push(e.detail.state));
    const started = el.start();
    expect(el.start()).to.equal(started);
    await until(() => engine.waiting, 'the capture');
    await el.updateComplete;
    expect(button(el)?.textContent?.trim()).to.equal('Cancel');
    el.cancel();
    expect(el.state).to.equal('idle');
    const error = await started.catch((e: DOMException) => e);
    expect((error as DOMException).name).to.equal('AbortError');
    expect(engine.requests[0]?.signal.aborted).to.equal(true);
    expect(seen).to.deep.equal(['preparing', 'capturing', 'idle', 'cancel {}']);
  });

  it('stops its check when removed from the page, but not when moved', async () => {
    const engine = new FakeEngine();
    engine.mode = 'manual';
    const el = await mount(engine);
    const started = el.start();
    await until(() => engine.waiting, 'the capture');
    const parent = el.parentElement as HTMLElement;
    parent.append(el); // a move: disconnected and connected in the same task
    await Promise.resolve();
    expect(engine.requests[0]?.signal.aborted).to.equal(false);
    el.remove();
    expect(((await started.catch((e) => e)) as DOMException).name).to.equal('AbortError');
    expect(engine.requests[0]?.signal.aborted).to.equal(true);
  });

  it('treats the person closing the plugin as a cancel', async () => {
    const engine = new FakeEngine();
    engine.mode = 'manual';
    const el = await mount(engine);
    let cancels = 0;
    el.addEventListener('oz-liveness-cancel', () => cancels++);
    const started = el.start();
    await until(() => engine.waiting, 'the capture');
    engine.close();
    await started.catch(() => {});
    expect(cancels).to.equal(1);
    expect(el.state).to.equal('idle');
    expect(el.error).to.equal(null);
  });

  it('turns an unknown engine failure into CAPTURE_FAILED', async () => {
    const engine = new FakeEngine();
    engine.mode = 'manual';
    const el = await mount(engine);
    const started = el.start();
    await until(() => engine.waiting, 'the capture');
    engine.fail(new TypeError('camera exploded'));
    expect(await started.catch((e: LivenessErrorDetail) => e)).to.include({
      code: 'CAPTURE_FAILED',
      message: 'camera exploded',
    });
  });

  it('reports INSECURE_CONTEXT and UNSUPPORTED_BROWSER from the pre-flight', async () => {
    const el = await mount();
    Object.defineProperty(window, 'isSecureContext', { value: false, configurable: true });
    try {
      expect(await el.start().catch((e: LivenessErrorDetail) => e)).to.include({
        code: 'INSECURE_CONTEXT',
        retry: 'NONE',
      });
    } finally {
      Object.defineProperty(window, 'isSecureContext', { value: true, configurable: true });
    }
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

  it('speaks the nearest [lang] and passes it to the plugin; strings override any text', async () => {
    const c = await ozConfig();
    const engine = new FakeEngine();
    const wrapper = await fixture<HTMLDivElement>(html`
      <div lang="ru-RU">
        <oz-liveness-check endpoint=${c.scriptedGatewayUrl}></oz-liveness-check>
      </div>
    `);
    const el = wrapper.querySelector('oz-liveness-check') as OzLivenessCheck;
    el.captureEngine = engine;
    await until(() => button(el)?.textContent?.trim() === 'Начать проверку на живость', 'Russian');
    await el.start();
    expect(engine.requests[0]?.lang).to.equal('ru');

    el.lang = 'pt';
    el.strings = { tryAgain: 'De novo!' };
    el.reset();
    await until(() => button(el)?.textContent?.trim() === 'Iniciar prova de vida', 'Portuguese');
    el.strings = { start: 'Verificar' };
    await el.updateComplete;
    expect(button(el)?.textContent?.trim()).to.equal('Verificar');
  });

  it('uses the default slot as the button label and decision slots as result views', async () => {
    const c = await ozConfig();
    const el = await fixture<OzLivenessCheck>(html`
      <oz-liveness-check endpoint=${c.scriptedGatewayUrl}>
        Verify me
        <p slot="accepted">Welcome aboard</p>
      </oz-liveness-check>
    `);
    el.captureEngine = new FakeEngine();
    const label = el.shadowRoot?.querySelector('button slot') as HTMLSlotElement;
    expect(
      label
        .assignedNodes()
        .map((n) => n.textContent?.trim())
        .join(''),
    ).to.equal('Verify me');
    await el.start();
    await el.updateComplete;
    const view = el.shadowRoot?.querySelector('[part="result"] slot') as HTMLSlotElement;
    expect(view.name).to.equal('accepted');
    expect(view.assignedElements()[0]?.textContent).to.equal('Welcome aboard');
    // Accepted: nothing left to do, so no button; focus, if it was here, stays in the element.
    expect(button(el)).to.equal(null);
    expect(status(el)).to.equal('Liveness confirmed.');
  });

  it('runs by keyboard: Enter on the focused button starts it; focus stays in the element', async () => {
    const el = await mount();
    el.focus();
    expect(el.shadowRoot?.activeElement).to.equal(button(el));
    await sendKeys({ press: 'Enter' });
    await until(() => el.state === 'done', 'done');
    await el.updateComplete;
    expect(el.matches(':focus-within')).to.equal(true);
    expect(el.shadowRoot?.activeElement?.getAttribute('part')).to.equal('result');
  });

  it('takes focus back when the capture UI closes and leaves it nowhere', async () => {
    await oz('scripted.script', { steps: [{ operation: 'submitCapsule', decision: 'REJECT' }] });
    const engine = new FakeEngine();
    engine.mode = 'manual';
    const el = await mount(engine);
    button(el)?.click();
    await until(() => engine.waiting, 'the capture');
    // A plugin dialog takes focus, then goes away without giving it back.
    const dialog = document.createElement('button');
    document.body.append(dialog);
    dialog.focus();
    dialog.remove();
    expect(document.activeElement).to.equal(document.body);
    engine.complete();
    await until(() => el.state === 'done', 'done');
    await el.updateComplete;
    expect(el.shadowRoot?.activeElement).to.equal(button(el));
    expect(button(el)?.textContent?.trim()).to.equal('Try again');
  });

  it('is disabled by its attribute and by a disabled fieldset, without losing start()', async () => {
    const c = await ozConfig();
    const form = await fixture<HTMLFormElement>(html`
      <form>
        <fieldset disabled>
          <oz-liveness-check name="liveness" endpoint=${c.scriptedGatewayUrl}></oz-liveness-check>
        </fieldset>
      </form>
    `);
    const el = form.querySelector('oz-liveness-check') as OzLivenessCheck;
    el.captureEngine = new FakeEngine();
    await el.updateComplete;
    expect(button(el)?.disabled).to.equal(true);
    (form.querySelector('fieldset') as HTMLFieldSetElement).disabled = false;
    await el.updateComplete;
    expect(button(el)?.disabled).to.equal(false);
    el.disabled = true;
    await el.updateComplete;
    expect(button(el)?.disabled).to.equal(true);
    expect(el.hasAttribute('disabled')).to.equal(true);
    const result = await el.start();
    await el.updateComplete;
    // Disabled controls are left out of form data, as for any built-in field.
    expect(el.value).to.equal(result.receipt);
    expect(new FormData(form).has('liveness')).to.equal(false);
  });

  it('a check disabled until the page is ready is enabled again by its property', async () => {
    const c = await ozConfig();
    const form = await fixture<HTMLFormElement>(html`
      <form>
        <oz-liveness-check disabled endpoint=${c.scriptedGatewayUrl}></oz-liveness-check>
        <fieldset>
          <oz-liveness-check disabled endpoint=${c.scriptedGatewayUrl}></oz-liveness-check>
        </fieldset>
      </form>
    `);
    const [el, inFieldset] = [...form.querySelectorAll('oz-liveness-check')] as OzLivenessCheck[];
    await el?.updateComplete;
    expect(button(el!)?.disabled).to.equal(true);
    // As a page does once it has what the check needs (e.g. its binding).
    el!.disabled = false;
    // Every update it asks for, but no waiting on anything else that might render it again.
    while (!(await el!.updateComplete));
    expect(button(el!)?.disabled).to.equal(false);
    expect(el!.hasAttribute('disabled')).to.equal(false);
    // A disabled fieldset still disables it when its own attribute goes.
    (form.querySelector('fieldset') as HTMLFieldSetElement).disabled = true;
    inFieldset!.disabled = false;
    await inFieldset!.updateComplete;
    await el!.updateComplete;
    expect(button(inFieldset!)?.disabled).to.equal(true);
    (form.querySelector('fieldset') as HTMLFieldSetElement).disabled = false;
    await until(() => button(inFieldset!)?.disabled === false, 'the fieldset to let go');
  });

  it('is valid only on ACCEPT: REJECT keeps valueMissing and no form value', async () => {
    await oz('scripted.script', { steps: [{ operation: 'submitCapsule', decision: 'REJECT' }] });
    const c = await ozConfig();
    const form = await fixture<HTMLFormElement>(html`
      <form>
        <oz-liveness-check name="liveness" required endpoint=${c.scriptedGatewayUrl}></oz-liveness-check>
      </form>
    `);
    const el = form.querySelector('oz-liveness-check') as OzLivenessCheck;
    el.captureEngine = new FakeEngine();
    const result = await el.start();
    await el.updateComplete;
    expect(result.decision).to.equal('REJECT');
    expect(el.validity.valueMissing).to.equal(true);
    expect(form.checkValidity()).to.equal(false);
    expect(new FormData(form).has('liveness')).to.equal(false);
    el.lang = 'es';
    await until(() => el.validationMessage === 'Completa la prueba de vida.', 'Spanish message');
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

  it("loads the plugin from plugin-src with the element's CSP nonce", async () => {
    const page = window as { OzLiveness?: unknown; __fakePluginNonce?: string };
    const saved = page.OzLiveness;
    delete page.OzLiveness;
    try {
      const el = await fixture<OzLivenessCheck>(html`
        <oz-liveness-check plugin-src="/test/fixtures/fake-plugin.js?element" nonce="r4nd0m"></oz-liveness-check>
      `);
      await el.captureEngine.prepare?.();
      expect(page.__fakePluginNonce).to.equal('r4nd0m');
      expect(document.querySelector('script[src$="fake-plugin.js?element"]')).to.not.equal(null);
    } finally {
      page.OzLiveness = saved;
    }
  });
});
