import { type OzLivenessOpenOptions, PluginErrorCode } from './types.js';

/** `open()` options after validation, with defaults applied. */
export interface SessionOptions {
  lang: string | undefined;
  actions: string[];
  sessionToken: string;
  meta: Record<string, string>;
  callbacks: SessionCallbacks;
}

export interface SessionCallbacks {
  onCaptureComplete?: (action: string, capsule: Blob) => void;
  onError?: OzLivenessOpenOptions['on_error'];
  onClose?: () => void;
}

/** Oz's passive liveness action: what a capture means when no action is given. */
export const DEFAULT_ACTION = 'video_selfie_blank';

export type ParsedOptions =
  | { ok: true; options: SessionOptions }
  | {
      ok: false;
      code: PluginErrorCode;
      message: string;
      context: Record<string, unknown>;
      callbacks: SessionCallbacks;
    };

/**
 * Validates what a page passed to `open()`. Callbacks are read first so that every other problem
 * can still be reported through `on_error`. Throws only when there is no options object at all.
 */
export function parseOptions(input: unknown): ParsedOptions {
  if (typeof input !== 'object' || input === null) {
    throw new TypeError('OzLiveness.open(options): options must be an object');
  }
  const raw = input as Record<string, unknown>;
  const callbacks: SessionCallbacks = {
    onCaptureComplete: fn(raw.on_capture_complete),
    onError: fn(raw.on_error),
    onClose: fn(raw.on_close),
  };
  const fail = (code: PluginErrorCode, message: string, context: Record<string, unknown>) =>
    ({ ok: false, code, message, context, callbacks }) as const;

  for (const name of ['on_capture_complete', 'on_error', 'on_close']) {
    if (raw[name] !== undefined && typeof raw[name] !== 'function') {
      return fail(PluginErrorCode.INVALID_OPTIONS, `${name} must be a function`, { option: name });
    }
  }
  if (typeof raw.session_token !== 'string' || raw.session_token.trim() === '') {
    return fail(PluginErrorCode.SESSION_TOKEN_MISSING, 'session_token is required', {
      option: 'session_token',
    });
  }

  const action = raw.action ?? [DEFAULT_ACTION];
  const actions = typeof action === 'string' ? [action] : action;
  if (
    !Array.isArray(actions) ||
    actions.length === 0 ||
    !actions.every((a) => typeof a === 'string' && a !== '')
  ) {
    return fail(PluginErrorCode.INVALID_OPTIONS, 'action must be a non-empty array of strings', {
      option: 'action',
    });
  }

  const meta = raw.meta ?? {};
  if (typeof meta !== 'object' || meta === null || Array.isArray(meta)) {
    return fail(PluginErrorCode.INVALID_OPTIONS, 'meta must be a flat map of strings', {
      option: 'meta',
    });
  }
  const badKey = Object.entries(meta).find(([, value]) => typeof value !== 'string')?.[0];
  if (badKey !== undefined) {
    return fail(PluginErrorCode.INVALID_OPTIONS, `meta.${badKey} must be a string`, {
      option: 'meta',
      key: badKey,
    });
  }

  if (raw.lang !== undefined && typeof raw.lang !== 'string') {
    return fail(PluginErrorCode.INVALID_OPTIONS, 'lang must be a string', { option: 'lang' });
  }

  return {
    ok: true,
    options: {
      lang: raw.lang,
      actions: [...(actions as string[])],
      sessionToken: raw.session_token,
      meta: { ...(meta as Record<string, string>) },
      callbacks,
    },
  };
}

function fn<T>(value: unknown): T | undefined {
  return typeof value === 'function' ? (value as T) : undefined;
}
