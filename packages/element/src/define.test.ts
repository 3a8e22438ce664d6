import { expect } from '@open-wc/testing';

describe('define', () => {
  it('registers <oz-liveness-check>, and only warns when the tag is taken', async () => {
    // A different class got the tag first (another copy of the package, say).
    class Impostor extends HTMLElement {}
    customElements.define('oz-liveness-check', Impostor);
    const warnings: unknown[][] = [];
    const warn = console.warn;
    console.warn = (...args: unknown[]) => warnings.push(args);
    try {
      const module = await import('./define.js');
      expect(module.tagName).to.equal('oz-liveness-check');
      expect(customElements.get('oz-liveness-check')).to.equal(Impostor);
      expect(String(warnings[0]?.[0])).to.contain('already defined');
    } finally {
      console.warn = warn;
    }
  });
});
