// Under `require-trusted-types-for 'script'` with the element's policy allowed (and a default
// policy that refuses everything, so nothing can pass by it): the plugin loads through the
// `oz-liveness` policy alone, and a URL on an untrusted origin is refused without a violation.
import { expect } from '@open-wc/testing';
import { defineDefaultPolicy, enforceTrustedTypes } from '../test/browser/enforce-trusted-types.js';
import type { LivenessError } from './errors.js';
import { loadPlugin } from './plugin-loader.js';

const violations = enforceTrustedTypes('oz-liveness default lit-html');
const askedDefault = defineDefaultPolicy(() => null);

describe('under Trusted Types, with the oz-liveness policy allowed', () => {
  it('is enforced: a plain string at a script sink throws', async () => {
    expect(() => {
      document.createElement('script').src = '/anything.js';
    }).to.throw(TypeError);
    await violations.settled();
    expect(violations).to.have.length(1);
    violations.length = 0;
    askedDefault.length = 0;
  });

  it('loads the plugin through its own policy: no violation, the default policy never asked', async () => {
    const src = '/test/fixtures/fake-plugin.js?enforced';
    const plugin = await loadPlugin(src);
    expect(plugin).to.equal((window as { OzLiveness?: unknown }).OzLiveness);
    expect(document.querySelector(`script[src$="${src}"]`)).to.not.equal(null);
    await violations.settled();
    expect(violations).to.deep.equal([]);
    expect(askedDefault).to.deep.equal([]);
  });

  it('refuses an untrusted origin before any sink: PLUGIN_LOAD_FAILED, no violation', async () => {
    delete (window as { OzLiveness?: unknown }).OzLiveness;
    const src = 'https://plugins.untrusted.example/plugin_liveness.php';
    const code = await loadPlugin(src).then(
      () => 'loaded',
      (e: LivenessError) => e.code,
    );
    expect(code).to.equal('PLUGIN_LOAD_FAILED');
    expect(document.querySelector(`script[src="${src}"]`)).to.equal(null);
    await violations.settled();
    expect(violations).to.deep.equal([]);
    expect(askedDefault).to.deep.equal([]);
  });
});
