import type { Plugin } from 'vite';
import { demoPages, pagePath } from './pages.js';

const HEADER_MARKER = '<!-- oz-demo:header -->';
/** `<!-- oz-demo:example [mount-tag] -->`: the running example beside its code (framework pages). */
const EXAMPLE_MARKER = /<!-- oz-demo:example(?: ([a-z][a-z0-9-]*))? -->/;

/**
 * Injects the shared site header (and, on framework pages, the example grid) into every page at build (and dev) time, so the seven HTML
 * entries stay short and the navigation works without JavaScript.
 */
export function pageChrome(): Plugin {
  return {
    name: 'oz-demo:page-chrome',
    transformIndexHtml: {
      order: 'pre',
      handler(html, context) {
        const current = context.path.replace(/index\.html$/, '');
        return html
          .replace(HEADER_MARKER, () => renderHeader(current))
          .replace(EXAMPLE_MARKER, (_marker, mountTag?: string) =>
            renderExample(mountTag ?? 'div'),
          );
      },
    },
  };
}

function renderHeader(currentPath: string): string {
  const links = demoPages
    .map((page) => {
      const path = pagePath(page);
      const current = path === currentPath ? ' aria-current="page"' : '';
      return `<li><a href="${path}"${current}>${page.label}</a></li>`;
    })
    .join('');
  return `<a class="skip-link" href="#main">Skip to content</a>
<header class="site-header">
  <a class="brand" href="/"><span class="brand-mark" aria-hidden="true"></span>oz-liveness <span class="brand-sub">demo</span></a>
  <nav aria-label="Demo pages"><ul>${links}</ul></nav>
</header>`;
}

/** The framework mounts its form into `#app`; Angular bootstraps its own root tag there. */
function renderExample(mountTag: string): string {
  return `<div class="demo-grid">
  <section class="card" aria-labelledby="example-title">
    <div class="card-header">
      <h2 id="example-title">Running example</h2>
      <span class="hint">Sandbox: you pick the outcome</span>
    </div>
    <${mountTag} id="app"></${mountTag}>
  </section>
  <section class="card" aria-labelledby="code-title">
    <h2 id="code-title">Integration code</h2>
    <div id="code" class="code-panel"></div>
  </section>
</div>`;
}
