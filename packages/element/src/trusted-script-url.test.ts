import { expect } from '@open-wc/testing';
import { ozConfig } from '../test/browser/oz-env.js';
import type { LivenessError } from './errors.js';
import { loadPlugin } from './plugin-loader.js';

type TestWindow = Window & { OzLiveness?: unknown; OzSandboxConfig?: unknown };
const page = window as TestWindow;

interface Factory {
  createPolicy(name: string, rules: object): { createScriptURL(...args: unknown[]): unknown };
}
// Chromium has Trusted Types: record every policy this page creates, and every URL the element's
// policy is asked for, before anything in this file loads a plugin.
const factory = (window as unknown as { trustedTypes: Factory }).trustedTypes;
const created: string[] = [];
const asked: string[] = [];
const createPolicy = factory.createPolicy.bind(factory);
factory.createPolicy = (name, rules) => {
  created.push(name);
  const policy = createPolicy(name, rules);
  const createScriptURL = policy.createScriptURL.bind(policy);
  policy.createScriptURL = (...args) => {
    asked.push(String(args[0]));
    return createScriptURL(...args);
  };
  return policy;
};

/** Every script src set or inserted while `run` runs. */
async function scriptsDuring(run: () => Promise<unknown>): Promise<string[]> {
  const seen: string[] = [];
  const observer = new MutationObserver((records) => {
    for (const record of records) {
      for (const node of record.addedNodes) {
        if (node instanceof HTMLScriptElement) seen.push(node.src);
      }
    }
  });
  observer.observe(document, { childList: true, subtree: true });
  try {
    await run();
  } finally {
    for (const record of observer.takeRecords()) {
      for (const node of record.addedNodes) {
        if (node instanceof HTMLScriptElement) seen.push(node.src);
      }
    }
    observer.disconnect();
  }
  return seen;
}

describe('the plugin URL check and the oz-liveness Trusted Types policy', () => {
  afterEach(() => {
    delete page.OzLiveness;
  });

  it('refuses a plugin-src on another origin before any script exists, unless the page trusts it', async () => {
    const c = await ozConfig();
    let refused: LivenessError | undefined;
    const inserted = await scriptsDuring(async () => {
      refused = await loadPlugin(c.pluginSrc).then(
        () => undefined,
        (e: LivenessError) => e,
      );
    });
    expect(refused?.code).to.equal('PLUGIN_LOAD_FAILED');
    expect(refused?.message).to.equal(
      `plugin-src ${c.pluginSrc} was refused: ${new URL(c.pluginSrc).origin} is neither this page's origin nor in OzLivenessCheck.trustedPluginOrigins`,
    );
    expect(inserted).to.deep.equal([]);
    expect(page.OzLiveness).to.equal(undefined);

    // Trusted: the same URL loads (the sandbox's real plugin).
    const plugin = await loadPlugin(c.pluginSrc, '', [`${c.sandboxUrl}/`, 'not a url']);
    expect(plugin).to.equal(page.OzLiveness);
    expect(document.querySelector(`script[src="${c.pluginSrc}"]`)).to.not.equal(null);
    delete page.OzSandboxConfig;
  });

  it('refuses what is not http(s), even on a trusted origin', async () => {
    for (const src of [
      'data:text/javascript,window.OzLiveness={open(){},close(){}}',
      'javascript:void(0)',
      `blob:${location.origin}/00000000-0000-4000-8000-000000000000`,
    ]) {
      const inserted = await scriptsDuring(async () => {
        const code = await loadPlugin(src, '', [location.origin, 'null']).then(
          () => 'loaded',
          (e: LivenessError) => e.code,
        );
        expect(code, src).to.equal('PLUGIN_LOAD_FAILED');
      });
      expect(inserted, src).to.deep.equal([]);
    }
  });

  it('creates the oz-liveness policy once, and every plugin src goes through it', async () => {
    const same = new URL('/test/fixtures/fake-plugin.js?tt', location.href).href;
    await loadPlugin(same);
    expect(created).to.deep.equal(['oz-liveness']);
    expect(asked).to.include(same);
    // The refused URLs above were asked too: the policy is where the check happens.
    expect(asked).to.include((await ozConfig()).pluginSrc);
  });

  it('without Trusted Types in the browser, checks the same way and creates no policy', async () => {
    const saved = Object.getOwnPropertyDescriptor(window, 'trustedTypes');
    Object.defineProperty(window, 'trustedTypes', { value: undefined, configurable: true });
    try {
      // A fresh copy of the module, which has not created its policy yet.
      const fresh = (await import(
        // @ts-expect-error: a query makes the test server hand out a second module instance
        './trusted-script-url.js?without-trusted-types'
      )) as typeof import('./trusted-script-url.js');
      const before = created.length;
      const same = new URL('/same-origin.js', location.href).href;
      expect(fresh.pluginScriptURL(same, [])).to.equal(same);
      expect(() => fresh.pluginScriptURL('https://elsewhere.example/p.js', [])).to.throw(
        /was refused/,
      );
      expect(created.length).to.equal(before);
    } finally {
      if (saved) Object.defineProperty(window, 'trustedTypes', saved);
      else delete (window as { trustedTypes?: unknown }).trustedTypes;
    }
  });
});
