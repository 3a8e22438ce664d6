import type { ApiHandler } from './api-request.js';
import { login, refresh } from './auth.js';
import { getFolder, listFolders, submitContainer } from './folders.js';
import { sessionToken } from './session-token.js';

interface ApiRoute {
  pattern: RegExp;
  methods: Partial<Record<'GET' | 'POST', ApiHandler>>;
}

/** The Oz API paths, spelled exactly as Oz documents them (trailing slashes included). */
const ROUTES: readonly ApiRoute[] = [
  { pattern: /^\/api\/authorize\/auth\/$/, methods: { POST: login } },
  { pattern: /^\/api\/authorize\/refresh\/$/, methods: { POST: refresh } },
  { pattern: /^\/api\/authorize\/session_token$/, methods: { GET: sessionToken } },
  { pattern: /^\/api\/instant\/folders\/$/, methods: { POST: submitContainer('instant') } },
  { pattern: /^\/api\/folders\/$/, methods: { GET: listFolders, POST: submitContainer('full') } },
  { pattern: /^\/api\/folders\/([^/]+)\/$/, methods: { GET: getFolder } },
];

export type RouteMatch =
  | { kind: 'found'; handler: ApiHandler; params: string[] }
  | { kind: 'wrong-method'; allowed: string[] }
  | { kind: 'not-found' };

export function matchApiRoute(method: string, path: string): RouteMatch {
  for (const route of ROUTES) {
    const match = route.pattern.exec(path);
    if (!match) continue;
    const handler = route.methods[method as 'GET' | 'POST'];
    if (!handler) return { kind: 'wrong-method', allowed: Object.keys(route.methods) };
    return { kind: 'found', handler, params: match.slice(1).map(safeDecode) };
  }
  return { kind: 'not-found' };
}

function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}
