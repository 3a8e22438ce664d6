import type { CaptureEngine, OzPluginEngine, PluginSource } from './capture-engine.js';
import { LivenessError } from './errors.js';

/**
 * The element's default `captureEngine`: an `OzPluginEngine` whose code is fetched on first use
 * (while idle, by the element's preload), keeping it out of the element's first download.
 */
export function lazyPluginEngine(source: PluginSource): CaptureEngine {
  let engine: Promise<OzPluginEngine> | undefined;
  const load = () => {
    engine ??= import('./capture-engine.js').then(
      (module) => new module.OzPluginEngine(source),
      (cause) => {
        engine = undefined;
        throw new LivenessError('PLUGIN_LOAD_FAILED', 'could not load the capture engine', {
          cause,
        });
      },
    );
    return engine;
  };
  return {
    prepare: async () => (await load()).prepare(),
    capture: async (request) => (await load()).capture(request),
  };
}
