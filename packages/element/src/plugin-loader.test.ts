import { expect } from '@open-wc/testing';
import type { LivenessError } from './errors.js';
import { loadPlugin } from './plugin-loader.js';

type TestWindow = Window & {
  OzLiveness?: unknown;
  __fakePluginRuns?: number;
  __fakePluginNonce?: string;
};
const page = window as TestWindow;

describe('loadPlugin', () => {
  beforeEach(() => {
    delete page.OzLiveness;
    page.__fakePluginRuns = 0;
  });

  it('loads the script once per page, however many elements ask, with the CSP nonce', async () => {
    const src = '/test/fixtures/fake-plugin.js?once';
    const [a, b] = await Promise.all([loadPlugin(src, 'n0nce'), loadPlugin(src, 'n0nce')]);
    expect(a).to.equal(b);
    expect(a).to.equal(page.OzLiveness);
    await loadPlugin(src, 'n0nce');
    expect(page.__fakePluginRuns).to.equal(1);
    expect(page.__fakePluginNonce).to.equal('n0nce');
    expect(document.querySelectorAll(`script[src$="${src}"]`)).to.have.length(1);
  });

  it('uses a plugin the page already has', async () => {
    const own = { open() {}, close() {} };
    page.OzLiveness = own;
    expect(await loadPlugin('/never-fetched.js')).to.equal(own);
  });

  it('fails with PLUGIN_LOAD_FAILED on a 404, a script that is not the plugin, or no URL, and tries again later', async () => {
    const missing = '/test/fixtures/missing-plugin.js';
    const first = await loadPlugin(missing).catch((e: LivenessError) => e);
    expect(first).to.include({ code: 'PLUGIN_LOAD_FAILED' });
    expect(document.querySelector(`script[src$="${missing}"]`)).to.equal(null);
    const second = await loadPlugin(missing).catch((e: LivenessError) => e);
    expect(second).to.not.equal(first);

    const wrong = (await loadPlugin('/test/fixtures/not-a-plugin.js').catch(
      (e: LivenessError) => e,
    )) as LivenessError;
    expect(wrong).to.include({ code: 'PLUGIN_LOAD_FAILED' });
    expect(wrong.message).to.contain('did not define window.OzLiveness');

    expect(await loadPlugin(null).catch((e: LivenessError) => e)).to.include({
      code: 'PLUGIN_LOAD_FAILED',
    });
  });
});
