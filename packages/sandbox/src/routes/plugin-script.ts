import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { type ApiResponse, OzErrorCode, ozError } from '../http/api-response.js';

/**
 * The bundle `scripts/build-plugin.mjs` writes. Two levels up from this module is the package root
 * both when running compiled (dist/routes/) and from source under vitest (src/routes/).
 */
export const PLUGIN_BUNDLE_PATH = fileURLToPath(
  new URL('../../dist/plugin_liveness.js', import.meta.url),
);

const HEADERS = {
  'content-type': 'application/javascript; charset=utf-8',
  'cache-control': 'no-cache',
  'access-control-allow-origin': '*',
  // Lets pages that set Cross-Origin-Embedder-Policy load it from another origin.
  'cross-origin-resource-policy': 'cross-origin',
};

/**
 * `GET /plugin_liveness.php`: the Web Plugin stand-in, read fresh so a rebuild shows at once,
 * after one statement that hands it the sandbox's settings (`OzSandboxConfig`).
 */
export async function pluginScript(
  config: { clipDurationMs: number },
  bundlePath = PLUGIN_BUNDLE_PATH,
): Promise<ApiResponse> {
  try {
    const settings = `self.OzSandboxConfig=${JSON.stringify(config)};\n`;
    return {
      status: 200,
      headers: HEADERS,
      body: Buffer.concat([Buffer.from(settings), await readFile(bundlePath)]),
    };
  } catch {
    return ozError(
      404,
      OzErrorCode.NOT_FOUND,
      'The Web Plugin stand-in is not built: run `pnpm --filter @oz-liveness/sandbox build`',
      null,
      { 'access-control-allow-origin': '*' },
    );
  }
}
