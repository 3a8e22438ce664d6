import { randomBytes } from 'node:crypto';
import { TRUSTED_ORIGINS_ID } from '../src/shared/demo-config.js';

/** Where the strict page's browser sends its violation reports (see csp-reports.ts). */
export const CSP_REPORT_PATH = '/api/csp-report';
/** In `strict-csp/index.html`: the plugin URL, the sandbox's own (another origin than the page). */
const PLUGIN_SRC_MARKER = '__OZ_PLUGIN_SRC__';
/** In `strict-csp/index.html`: where the page learns which plugin origins it trusts. */
const TRUSTED_ORIGINS_MARKER = '<!-- oz-demo:trusted-plugin-origins -->';

/** A fresh nonce for every response: 128 random bits, as CSP asks. */
export function newNonce(): string {
  return randomBytes(16).toString('base64');
}

/**
 * The policy a regulated site ships, exactly as issue #16 states it, plus where to report:
 * only scripts carrying the nonce run, and what they insert ('strict-dynamic'); no plugins, no
 * <base>; every script URL must be a TrustedScriptURL, made by one of two policies: the
 * element's (`oz-liveness`) and Lit's (`lit-html`).
 */
export function strictCsp(nonce: string): string {
  return [
    `script-src 'nonce-${nonce}' 'strict-dynamic'`,
    "object-src 'none'",
    "base-uri 'none'",
    "require-trusted-types-for 'script'",
    'trusted-types oz-liveness lit-html',
    `report-uri ${CSP_REPORT_PATH}`,
  ].join('; ');
}

/**
 * The built `/strict-csp/` page for one response: the nonce on every script, module preload and
 * the element (which gives it to the plugin's script), the plugin URL on the sandbox's origin,
 * and that origin as the one the page trusts. The server writes both: never markup from users.
 */
export function renderStrictCspPage(
  template: string,
  { nonce, pluginUrl }: { nonce: string; pluginUrl: string },
): string {
  const origins = JSON.stringify([new URL(pluginUrl).origin]).replaceAll('<', '\\u003c');
  // Replacer functions: a `$` in a URL must not be read as a replacement pattern.
  return template
    .replace(
      TRUSTED_ORIGINS_MARKER,
      () => `<script type="application/json" id="${TRUSTED_ORIGINS_ID}">${origins}</script>`,
    )
    .replaceAll(PLUGIN_SRC_MARKER, () => escapeAttribute(pluginUrl))
    .replaceAll('<script', `<script nonce="${nonce}"`)
    .replaceAll('<link rel="modulepreload"', `<link rel="modulepreload" nonce="${nonce}"`)
    .replaceAll('<oz-liveness-check', `<oz-liveness-check nonce="${nonce}"`);
}

function escapeAttribute(value: string): string {
  return value
    .replaceAll('&', '&amp;')
    .replaceAll('"', '&quot;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;');
}
