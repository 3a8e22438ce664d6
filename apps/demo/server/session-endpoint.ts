import type { IncomingMessage, ServerResponse } from 'node:http';
import type { DemoSessions } from './demo-sessions.js';

/**
 * `GET /api/session`: starts the visitor's sign-up session if needed (cookie) and answers
 * `{ binding }`, which the pages set on `<oz-liveness-check>`. Like fetching a WebAuthn
 * challenge: the server decides the value, the page only passes it on.
 */
export function createSessionHandler(sessions: DemoSessions) {
  return (req: IncomingMessage, res: ServerResponse): void => {
    if (req.method !== 'GET') {
      res.writeHead(405, { allow: 'GET', 'content-type': 'application/json' });
      res.end(JSON.stringify({ ok: false, code: 'BAD_REQUEST', message: 'Use GET.' }));
      return;
    }
    const binding = sessions.bindingOf(sessions.ensure(req, res));
    res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' });
    res.end(JSON.stringify({ binding }));
  };
}
