import { parseFault } from '../faults.js';
import {
  type ApiResponse,
  json,
  methodNotAllowed,
  notFound,
  OzErrorCode,
  ozError,
} from '../http/api-response.js';
import { parseQueuedOutcomes } from '../outcomes.js';
import type { SandboxState } from '../state.js';

type ControlHandler = (body: unknown, state: SandboxState) => ApiResponse;

const ROUTES: Record<string, { method: 'GET' | 'POST'; handler: ControlHandler }> = {
  '/sandbox/outcomes': {
    method: 'POST',
    handler: (body, state) => {
      state.outcomes.push(parseQueuedOutcomes((body as { outcomes?: unknown } | null)?.outcomes));
      return json(200, { queued: state.outcomes.size });
    },
  },
  '/sandbox/faults': {
    method: 'POST',
    handler: (body, state) => {
      state.faults.add(parseFault(body));
      return json(200, { pending: state.faults.size });
    },
  },
  '/sandbox/requests': {
    method: 'GET',
    handler: (_body, state) => json(200, state.log.list()),
  },
  '/sandbox/expire-tokens': {
    method: 'POST',
    handler: (_body, state) => {
      state.auth.expireAll();
      return json(200, { ok: true });
    },
  },
  '/sandbox/reset': {
    method: 'POST',
    handler: (_body, state) => {
      state.reset();
      return json(200, { ok: true });
    },
  },
};

export const CONTROL_CORS_HEADERS = {
  'access-control-allow-origin': '*',
  'access-control-allow-methods': 'GET, POST, OPTIONS',
  'access-control-allow-headers': 'content-type',
  'access-control-max-age': '600',
};

/** The `/sandbox/*` control API; the body is the raw request body (JSON for POSTs). */
export function handleControl(
  method: string,
  path: string,
  rawBody: Buffer,
  state: SandboxState,
): ApiResponse {
  if (method === 'OPTIONS') return { status: 204, headers: {}, body: Buffer.alloc(0) };
  const route = ROUTES[path];
  if (!route) return notFound(path);
  if (method !== route.method) return methodNotAllowed(method, [route.method, 'OPTIONS']);
  let body: unknown = null;
  if (rawBody.length > 0) {
    try {
      body = JSON.parse(rawBody.toString('utf8'));
    } catch {
      return ozError(400, OzErrorCode.INVALID_STRUCTURE, 'Control request body must be JSON');
    }
  }
  try {
    return route.handler(body, state);
  } catch (error) {
    return ozError(400, OzErrorCode.INVALID_VALUE, (error as Error).message);
  }
}
