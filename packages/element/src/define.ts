import { OzLivenessCheck } from './liveness-check.js';

export * from './index.js';

export const tagName = 'oz-liveness-check';

// Registering twice throws in the platform; two copies of this package on one page (a micro
// frontend, a CDN plus a bundle) must not break the page, so the second one only warns.
const registry = globalThis.customElements;
if (registry) {
  const existing = registry.get(tagName);
  if (!existing) registry.define(tagName, OzLivenessCheck);
  else if (existing !== OzLivenessCheck) {
    console.warn(
      `<${tagName}> is already defined by another copy of @oz-liveness/element; this copy is not registered.`,
    );
  }
}
