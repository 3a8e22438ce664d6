// `@oz-liveness/element/define` (and `/hydrate`) under the "node" export condition: registers the
// tag in Lit's server-side registry with every language loaded, so `@lit-labs/ssr` renders the
// idle state in the element's language synchronously.
import './strings/server-languages.js';

export * from './define.js';
