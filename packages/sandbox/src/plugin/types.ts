/**
 * The public shape of `window.OzLiveness` (the sandbox stand-in), as Oz documents the real Web
 * Plugin. Kept free of DOM-only types so Node-side tests can import it too.
 */

/** Codes `on_error` receives. The real plugin's list is unconfirmed; these are the stand-in's. */
export const PluginErrorCode = {
  /** `session_token` is missing, empty or not a string. */
  SESSION_TOKEN_MISSING: 'SESSION_TOKEN_MISSING',
  /** Another option has the wrong type (e.g. `meta` with a non-string value). */
  INVALID_OPTIONS: 'INVALID_OPTIONS',
  /** The person or the browser refused the camera (NotAllowedError, SecurityError). */
  CAMERA_DENIED: 'CAMERA_DENIED',
  /** No camera, none matching, or no camera API at all (e.g. an insecure context). */
  CAMERA_NOT_FOUND: 'CAMERA_NOT_FOUND',
  /** The camera was there but the clip could not be recorded or packed. */
  CAPTURE_FAILED: 'CAPTURE_FAILED',
} as const;
export type PluginErrorCode = (typeof PluginErrorCode)[keyof typeof PluginErrorCode];

/** What `on_error` receives, field names as in the real plugin. */
export interface OzLivenessError {
  code: PluginErrorCode;
  /** Id of the `open()` call that failed (a random UUID per call). */
  event_session_id: string;
  /** English, for developers; never shown to the person as is. */
  message: string;
  /** Detail for debugging, e.g. `{ name: 'NotAllowedError' }` or `{ option: 'meta' }`. */
  context: Record<string, unknown>;
}

export interface OzLivenessOpenOptions {
  /** UI language: en, es, pt-BR, ru, kk, tr (nearest match, else en). */
  lang?: string;
  /** Oz actions, e.g. `['video_selfie_blank']` (default). A single string is accepted too. */
  action?: string[] | string;
  /** From `GET /api/authorize/session_token`; required. */
  session_token?: string;
  /** Flat string map copied into the container (e.g. `transaction_id`). */
  meta?: Record<string, string>;
  /** Accepted for compatibility with the real plugin; the stand-in ignores it. */
  params?: Record<string, unknown>;
  on_capture_complete?: (action: string, capsule: Blob) => void;
  on_error?: (error: OzLivenessError) => void;
  on_close?: () => void;
}

export interface OzLivenessApi {
  /** Starts a capture session; a session already open is closed first (its `on_close` fires). */
  open(options: OzLivenessOpenOptions): void;
  /** Aborts the open session: camera off, overlay removed; only `on_close` fires. */
  close(): void;
  /** Hides the overlay and lets pending work (recording, packing) finish. */
  hide(): void;
}
