import { CaptureSession } from './capture-session.js';
import { deliver, newEventSessionId } from './deliver.js';
import { parseOptions } from './options.js';
import type { OzLivenessApi } from './types.js';

/**
 * Builds the `OzLiveness` object: `open`, `close`, `hide`, one capture session at a time. The
 * stand-in makes no network call at all; the page uploads the capsule itself, as with the real
 * plugin in capture mode.
 */
export function createOzLiveness(): OzLivenessApi {
  let current: CaptureSession | null = null;

  const api: OzLivenessApi = {
    open(options) {
      current?.close();
      const parsed = parseOptions(options);
      if (!parsed.ok) {
        const { code, message, context, callbacks } = parsed;
        const report = { code, event_session_id: newEventSessionId(), message, context };
        deliver(() => {
          if (callbacks.onError) callbacks.onError(report);
          else console.error('[OzLiveness sandbox] on_error is not set:', report);
        });
        return;
      }
      const session = new CaptureSession(parsed.options, (ended) => {
        if (current === ended) current = null;
      });
      current = session;
      session.start();
    },
    close() {
      current?.close();
    },
    hide() {
      current?.hide();
    },
  };
  return Object.freeze(api);
}
