import type { ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ApiResponse } from './api-response.js';

/** Bytes per chunk when a `slow-body` fault trickles an answer. */
export const SLOW_BODY_CHUNK_BYTES = 64;

export function send(res: ServerResponse, response: ApiResponse): void {
  if (res.headersSent || res.destroyed) return;
  res.writeHead(response.status, {
    ...response.headers,
    'content-length': String(response.body.length),
  });
  res.end(response.body);
}

/**
 * Sends the headers at once, then the body in small chunks with a pause before each, as a slow or
 * congested upstream would. Stops quietly when the client goes away or the sandbox closes.
 */
export async function sendSlowly(
  res: ServerResponse,
  response: ApiResponse,
  chunkDelayMs: number,
  signal: AbortSignal,
): Promise<void> {
  if (res.headersSent || res.destroyed) return;
  res.writeHead(response.status, {
    ...response.headers,
    'content-length': String(response.body.length),
  });
  res.flushHeaders();
  try {
    for (let at = 0; at < response.body.length; at += SLOW_BODY_CHUNK_BYTES) {
      await sleep(chunkDelayMs, undefined, { signal });
      if (res.destroyed) return;
      res.write(response.body.subarray(at, at + SLOW_BODY_CHUNK_BYTES));
    }
    res.end();
  } catch {
    // Aborted by close(): the socket is being destroyed anyway.
  }
}
