import { LivenessError } from './errors.js';

/** The policy name a page lists in its CSP: `trusted-types oz-liveness lit-html`. */
export const POLICY_NAME = 'oz-liveness';

// The Trusted Types API as far as it is used here (TypeScript's DOM library does not have it).
interface ScriptURLPolicy {
  createScriptURL(input: string, allowedOrigins: readonly string[]): TrustedScriptURL;
}
/** A `TrustedScriptURL`: what a `<script>`'s `src` accepts under `require-trusted-types-for`. */
export interface TrustedScriptURL {
  toString(): string;
}
interface TrustedTypesFactory {
  createPolicy(
    name: string,
    rules: { createScriptURL(input: string, ...rest: unknown[]): string },
  ): ScriptURLPolicy;
}

// undefined: not tried yet; null: this browser has no Trusted Types, or the page's CSP refused
// the name (it is tried once: every refusal is a violation report).
let policy: ScriptURLPolicy | null | undefined;

/**
 * `src` for the plugin's `<script>`, or PLUGIN_LOAD_FAILED. Only an http(s) URL on the page's own
 * origin or on one of `allowedOrigins` passes: `plugin-src` is markup, and markup must not be able
 * to choose where script comes from (a page's nonce and `'strict-dynamic'` trust whatever this
 * element inserts). Where the browser has Trusted Types the check is the `oz-liveness` policy's
 * `createScriptURL`, so the value is a TrustedScriptURL and `require-trusted-types-for 'script'`
 * accepts it.
 */
export function pluginScriptURL(
  url: string,
  allowedOrigins: readonly string[],
): TrustedScriptURL | string {
  if (policy === undefined) policy = createPolicy();
  return policy ? policy.createScriptURL(url, allowedOrigins) : checkedURL(url, allowedOrigins);
}

function createPolicy(): ScriptURLPolicy | null {
  const factory = (globalThis as { trustedTypes?: TrustedTypesFactory }).trustedTypes;
  if (!factory) return null;
  try {
    return factory.createPolicy(POLICY_NAME, {
      createScriptURL: (input, allowed) => checkedURL(input, allowed as readonly string[]),
    });
  } catch {
    // The page's `trusted-types` does not list the name (or another copy of this package took
    // it): the plain URL goes to the sink, where a default policy or no enforcement lets it by.
    return null;
  }
}

function checkedURL(input: string, allowedOrigins: readonly string[]): string {
  const url = new URL(input, document.baseURI);
  const allowed: (string | undefined)[] = [location.origin, ...allowedOrigins.map(originOf)];
  if (/^https?:$/.test(url.protocol) && allowed.includes(url.origin)) return url.href;
  throw new LivenessError(
    'PLUGIN_LOAD_FAILED',
    `plugin-src ${url.href} was refused: ${url.origin} is neither this page's origin nor in OzLivenessCheck.trustedPluginOrigins`,
  );
}

function originOf(entry: string): string | undefined {
  try {
    return new URL(entry).origin;
  } catch {
    return undefined; // not a URL: matches nothing
  }
}
