/**
 * Entry of `/plugin_liveness.php`: defines `window.OzLiveness` once. Loading the script again
 * keeps the existing object, so a session already open stays reachable through `close()`.
 */
import { createOzLiveness } from './oz-liveness.js';
import type { OzLivenessApi } from './types.js';

declare global {
  interface Window {
    OzLiveness?: OzLivenessApi;
  }
}

window.OzLiveness ??= createOzLiveness();
