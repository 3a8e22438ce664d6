import type { Plugin } from 'vite';
import { demoPages, pagePath } from './pages.js';

const HEADER_MARKER = '<!-- oz-demo:header -->';

/**
 * Injects the shared site header into every page at build (and dev) time, so the seven HTML
 * entries stay short and the navigation works without JavaScript.
 */
export function pageChrome(): Plugin {
  return {
    name: 'oz-demo:page-chrome',
    transformIndexHtml: {
      order: 'pre',
      handler(html, context) {
        if (!html.includes(HEADER_MARKER)) return html;
        const current = context.path.replace(/index\.html$/, '');
        return html.replace(HEADER_MARKER, renderHeader(current));
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
