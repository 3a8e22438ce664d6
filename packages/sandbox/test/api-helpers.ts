import { createHash } from 'node:crypto';
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { createTestContainer, type RunningSandbox } from '../src/index.js';
import { DEFAULT_CREDENTIALS } from '../src/options.js';

export const OCTET = { 'content-type': 'application/octet-stream' };

export interface RawResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
  /** The body as JSON (throws when it is not). */
  // biome-ignore lint/suspicious/noExplicitAny: assertions read arbitrary answer shapes
  json(): any;
}

/**
 * One request on a fresh connection (no keep-alive pool), resolving with the whole answer or
 * rejecting with the socket error, so tests see exactly what a client on the wire would.
 */
export function raw(
  baseUrl: string,
  path: string,
  init: { method?: string; headers?: Record<string, string>; body?: Uint8Array | string } = {},
): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(`${baseUrl}${path}`, {
      method: init.method ?? 'GET',
      headers: init.headers,
      agent: false,
    });
    req.on('error', reject);
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('error', reject);
      res.on('aborted', () => reject(new Error('response aborted')));
      res.on('end', () => {
        const body = Buffer.concat(chunks);
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          body,
          json: () => JSON.parse(body.toString('utf8')),
        });
      });
    });
    req.end(init.body);
  });
}

export async function login(sandbox: RunningSandbox, credentials = DEFAULT_CREDENTIALS) {
  const res = await raw(sandbox.url, '/api/authorize/auth/', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ credentials }),
  });
  if (res.status !== 200) throw new Error(`login failed: ${res.status} ${res.body}`);
  return res.json() as { access_token: string; expire_token: string; expire_date: number };
}

export async function sessionToken(sandbox: RunningSandbox, accessToken: string): Promise<string> {
  const res = await raw(sandbox.url, '/api/authorize/session_token', {
    headers: { 'x-forensic-access-token': accessToken },
  });
  if (res.status !== 200) throw new Error(`session token failed: ${res.status} ${res.body}`);
  return res.json().session_token;
}

/** Logs in, gets a session token and builds a valid container for it. */
export async function freshContainer(
  sandbox: RunningSandbox,
  accessToken: string,
  input: Omit<Parameters<typeof createTestContainer>[0], 'sessionToken'> = {},
): Promise<Uint8Array> {
  return createTestContainer({ ...input, sessionToken: await sessionToken(sandbox, accessToken) });
}

export function submit(
  sandbox: RunningSandbox,
  accessToken: string | undefined,
  body: Uint8Array | string,
  { mode = 'instant', contentType = 'application/octet-stream' } = {},
): Promise<RawResponse> {
  const headers: Record<string, string> = { 'content-type': contentType };
  if (accessToken) headers['x-forensic-access-token'] = accessToken;
  return raw(sandbox.url, mode === 'full' ? '/api/folders/' : '/api/instant/folders/', {
    method: 'POST',
    headers,
    body,
  });
}

export function sha256Hex(bytes: Uint8Array | string): string {
  return createHash('sha256').update(bytes).digest('hex');
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The most recent logged request to `path`. */
export async function lastRequest(sandbox: RunningSandbox, path: string) {
  const entries = (await sandbox.control.requests()).filter((entry) => entry.path === path);
  const entry = entries.at(-1);
  if (!entry) throw new Error(`no request to ${path} was logged`);
  return entry;
}

/** Polls `check` until it returns true or `timeoutMs` passes. */
export async function waitFor(check: () => Promise<boolean> | boolean, timeoutMs = 2000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await sleep(10);
  }
}
