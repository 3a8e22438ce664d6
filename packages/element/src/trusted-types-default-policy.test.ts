// A page under `require-trusted-types-for 'script'` whose `trusted-types` does not list
// `oz-liveness`: the element's policy is refused once, and the checked URL goes to the sink as a
// string. Without a default policy that fails with PLUGIN_LOAD_FAILED; the page's default policy
// decides once there is one.
import { expect } from '@open-wc/testing';
import { defineDefaultPolicy, enforceTrustedTypes } from '../test/browser/enforce-trusted-types.js';
import type { LivenessError } from './errors.js';
import { loadPlugin } from './plugin-loader.js';

const violations = enforceTrustedTypes('default lit-html');

describe("under Trusted Types, without the oz-liveness policy in the page's list", () => {
  it('fails with PLUGIN_LOAD_FAILED naming the policy to allow, while there is no default policy', async () => {
    const error = await loadPlugin('/test/fixtures/fake-plugin.js?no-default').then(
      () => undefined,
      (e: LivenessError) => e,
    );
    expect(error?.code).to.equal('PLUGIN_LOAD_FAILED');
    expect(error?.message).to.contain("list 'oz-liveness' in the page's trusted-types directive");
    // The name refused once, then the string refused at the sink.
    await violations.settled();
    expect(violations.map((v) => v.split(' ')[0])).to.deep.equal([
      'trusted-types',
      'require-trusted-types-for',
    ]);
  });

  it("works through the page's default policy, which is asked for the checked URL only", async () => {
    violations.length = 0;
    const asked = defineDefaultPolicy((url) => url);
    const src = new URL('/test/fixtures/fake-plugin.js?default', location.href).href;
    const plugin = await loadPlugin(src);
    expect(plugin).to.equal((window as { OzLiveness?: unknown }).OzLiveness);
    expect(asked).to.deep.equal([src]);
    // The element does not try to create its policy again (each try would be a report).
    await violations.settled();
    expect(violations).to.deep.equal([]);

    delete (window as { OzLiveness?: unknown }).OzLiveness;
    const untrusted = 'https://plugins.untrusted.example/plugin_liveness.php';
    const code = await loadPlugin(untrusted).then(
      () => 'loaded',
      (e: LivenessError) => e.code,
    );
    expect(code).to.equal('PLUGIN_LOAD_FAILED');
    expect(asked).to.deep.equal([src]);
  });
});
