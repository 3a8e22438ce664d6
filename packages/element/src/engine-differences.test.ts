// Where Chromium, Firefox and WebKit could each give a person something different: custom
// states, the form's validity message and where focus lands when the form reports it, focus
// after the capture UI, upload progress. Runs in every engine: Chromium in `pnpm test`, Firefox
// and WebKit in `pnpm test:full` (their own configs); apps/demo's engines.e2e.test.ts checks the
// same on a page in `pnpm test`.
import { expect, fixture, html } from '@open-wc/testing';
import { FakeEngine } from '../test/browser/fake-engine.js';
import { oz, ozConfig, until } from '../test/browser/oz-env.js';
import './define.js';
import type { OzLivenessCheck } from './liveness-check.js';

const button = (el: OzLivenessCheck) =>
  el.shadowRoot?.querySelector<HTMLButtonElement>('[part="button"]') ?? null;

async function requiredInForm(): Promise<{ form: HTMLFormElement; el: OzLivenessCheck }> {
  const c = await ozConfig();
  const form = await fixture<HTMLFormElement>(html`
    <form>
      <input aria-label="Name" id="name" />
      <oz-liveness-check name="liveness" required endpoint=${c.scriptedGatewayUrl}></oz-liveness-check>
    </form>
  `);
  const el = form.querySelector('oz-liveness-check') as OzLivenessCheck;
  el.captureEngine = new FakeEngine();
  await el.updateComplete;
  return { form, el };
}

describe('<oz-liveness-check> where engines differ', () => {
  beforeEach(async () => {
    await oz('scripted.reset');
  });

  it('exposes each state as :state() and as the state attribute', async () => {
    const { el } = await requiredInForm();
    expect(el.matches(':state(idle)')).to.equal(true);
    expect(el.matches('[state="idle"]')).to.equal(true);
    await el.start();
    await el.updateComplete;
    expect(el.matches(':state(done)')).to.equal(true);
    expect(el.matches(':state(idle)')).to.equal(false);
    expect(el.getAttribute('state')).to.equal('done');
  });

  it('blocks the form with its own message; focusing it (as a failed submit does) lands on its button', async () => {
    const { form, el } = await requiredInForm();
    let invalid = 0;
    el.addEventListener('invalid', () => invalid++);
    expect(el.validationMessage).to.equal('Please complete the liveness check.');
    expect(el.validity.valueMissing).to.equal(true);
    // checkValidity, not reportValidity: Firefox's validation popup stalls a page driven over
    // WebDriver BiDi. What a failed submit does next is focus the field: here, its button.
    expect(form.checkValidity()).to.equal(false);
    expect(invalid).to.equal(1);
    el.focus();
    expect(document.activeElement).to.equal(el);
    expect(el.shadowRoot?.activeElement).to.equal(button(el));
    await el.start();
    await el.updateComplete;
    expect(el.validationMessage).to.equal('');
    expect(form.checkValidity()).to.equal(true);
  });

  it('takes focus back when the capture UI closes and leaves it nowhere', async () => {
    await oz('scripted.script', { steps: [{ operation: 'submitCapsule', decision: 'REJECT' }] });
    const { el } = await requiredInForm();
    const engine = new FakeEngine();
    engine.mode = 'manual';
    el.captureEngine = engine;
    button(el)?.focus();
    button(el)?.click();
    await until(() => engine.waiting, 'the capture');
    const dialog = document.createElement('button');
    document.body.append(dialog);
    dialog.focus();
    dialog.remove();
    engine.complete();
    await until(() => el.state === 'done', 'done');
    await el.updateComplete;
    expect(el.shadowRoot?.activeElement).to.equal(button(el));
  });

  it('reports upload progress that ends at the whole request body', async () => {
    const { el } = await requiredInForm();
    const progress: Array<{ loaded: number; total: number }> = [];
    el.addEventListener('oz-liveness-progress', (event) => progress.push(event.detail));
    await el.start();
    expect(progress.length).to.be.greaterThan(0);
    const last = progress.at(-1);
    expect(last?.loaded).to.equal(last?.total);
    expect(last?.total).to.be.greaterThan(64 * 1024);
  });
});
