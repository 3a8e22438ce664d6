// `@oz-liveness/element` under the "node" export condition (Lit's own SSR condition): the same
// exports, with every language loaded, because a server render cannot wait for a chunk.
import './strings/server-languages.js';

export * from './index.js';
