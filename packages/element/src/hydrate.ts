// For pages whose HTML was rendered by `@lit-labs/ssr`: Lit's hydration support first, then the
// tag. LitElement picks the support up when its module is evaluated, so this module must be
// imported before any other Lit code on the page. Kept out of `./define`: pages that do not
// server-render do not pay for it.
import '@lit-labs/ssr-client/lit-element-hydrate-support.js';

export * from './define.js';
