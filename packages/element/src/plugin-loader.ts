import { LivenessError } from './errors.js';
import { POLICY_NAME, pluginScriptURL } from './trusted-script-url.js';

/** `window.OzLiveness` as FACTS.md describes the Oz Web Plugin (capture mode). */
export interface OzLivenessPlugin {
  open(options: OzLivenessOpenOptions): void;
  close(): void;
  hide?(): void;
}

export interface OzLivenessOpenOptions {
  lang: string;
  action: string[];
  session_token: string;
  meta: Record<string, string>;
  on_capture_complete: (action: string, capsule: Blob) => void;
  on_error: (error: OzLivenessPluginError) => void;
  on_close: () => void;
}

export interface OzLivenessPluginError {
  code?: unknown;
  event_session_id?: string;
  message?: unknown;
  context?: unknown;
}

type PluginWindow = Window & { OzLiveness?: OzLivenessPlugin };

/** A script that never answers must not leave the element preparing for ever. */
const LOAD_TIMEOUT_MS = 30_000;

// One load per script URL per page, shared by every element; a failed load is forgotten so the
// next attempt tries the network again.
const loads = new Map<string, Promise<OzLivenessPlugin>>();

/**
 * Loads the Web Plugin script once and resolves with `window.OzLiveness`. A page that already
 * defines `window.OzLiveness` (its own <script> tag) is used as it is. `nonce` lets the script
 * run under a CSP with `script-src 'nonce-…'`. The URL must be on the page's origin or on one of
 * `allowedOrigins` (see `pluginScriptURL`); any other is refused before a script element exists.
 */
export function loadPlugin(
  src: string | null | undefined,
  nonce = '',
  allowedOrigins: readonly string[] = [],
): Promise<OzLivenessPlugin> {
  const ready = (window as PluginWindow).OzLiveness;
  if (ready) return Promise.resolve(ready);
  if (!src) {
    return Promise.reject(
      new LivenessError(
        'PLUGIN_LOAD_FAILED',
        'plugin-src is not set and window.OzLiveness is absent',
      ),
    );
  }
  const url = new URL(src, document.baseURI).href;
  let load = loads.get(url);
  if (!load) {
    load = inject(url, nonce, allowedOrigins);
    loads.set(url, load);
    load.catch(() => loads.delete(url));
  }
  return load;
}

function inject(
  url: string,
  nonce: string,
  allowedOrigins: readonly string[],
): Promise<OzLivenessPlugin> {
  return new Promise((resolve, reject) => {
    let script: HTMLScriptElement;
    try {
      // Checked before any script element exists: a refused URL is never even set as a src.
      const src = pluginScriptURL(url, allowedOrigins);
      script = document.createElement('script');
      // A TrustedScriptURL where the browser has Trusted Types; TypeScript only knows strings.
      script.src = src as string;
    } catch (error) {
      // Refused by the check, or by `require-trusted-types-for 'script'` without a usable policy.
      reject(
        error instanceof LivenessError
          ? error
          : new LivenessError(
              'PLUGIN_LOAD_FAILED',
              `Trusted Types refused ${url}: list '${POLICY_NAME}' in the page's trusted-types directive`,
              { cause: error },
            ),
      );
      return;
    }
    const timer = setTimeout(() => fail(`timed out loading ${url}`), LOAD_TIMEOUT_MS);
    const fail = (message: string) => {
      clearTimeout(timer);
      script.remove();
      reject(new LivenessError('PLUGIN_LOAD_FAILED', message));
    };
    script.async = true;
    if (nonce) script.nonce = nonce;
    script.addEventListener('load', () => {
      clearTimeout(timer);
      const plugin = (window as PluginWindow).OzLiveness;
      if (plugin) resolve(plugin);
      else fail(`${url} loaded but did not define window.OzLiveness`);
    });
    script.addEventListener('error', () => fail(`could not load ${url}`));
    document.head.append(script);
  });
}
