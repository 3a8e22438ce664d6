import type { CaptureEngine, PluginSource } from './capture-engine.js';
import { lazyImport } from './lazy-import.js';

/**
 * The element's default `captureEngine`: an `OzPluginEngine` whose code is fetched on first use
 * (while idle, by the element's preload), keeping it out of the element's first download.
 */
export function lazyPluginEngine(
  source: PluginSource,
  trustedOrigins: () => readonly string[],
): CaptureEngine {
  const load = lazyImport(
    () =>
      import('./capture-engine.js').then(
        (module) => new module.OzPluginEngine(source, trustedOrigins),
      ),
    'PLUGIN_LOAD_FAILED',
    'could not load the capture engine',
  );
  return {
    prepare: async () => (await load()).prepare(),
    capture: async (request) => (await load()).capture(request),
  };
}
