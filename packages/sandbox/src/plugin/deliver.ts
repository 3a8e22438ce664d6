/**
 * Runs a page callback after the current task's synchronous code, so no callback ever runs inside
 * `open()`, `close()` or `hide()`. A callback that throws is reported like an uncaught error
 * instead of breaking the plugin's own bookkeeping.
 */
export function deliver(callback: () => void): void {
  queueMicrotask(() => {
    try {
      callback();
    } catch (error) {
      if (typeof reportError === 'function') reportError(error);
      else console.error(error);
    }
  });
}

/** A random UUID naming one `open()` call, as `event_session_id` in `on_error`. */
export function newEventSessionId(): string {
  if (typeof crypto.randomUUID === 'function') return crypto.randomUUID();
  // Insecure contexts lack randomUUID; they still get an error report with an id.
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = ((b[6] ?? 0) & 0x0f) | 0x40;
  b[8] = ((b[8] ?? 0) & 0x3f) | 0x80;
  const hex = Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
