import { setMaxListeners } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { SandboxControl } from './control.js';
import type { ApiResponse } from './http/api-response.js';
import { methodNotAllowed, notFound, OzErrorCode, ozError } from './http/api-response.js';
import { answerWithFault } from './http/apply-fault.js';
import { discardRest, readBody } from './http/read-body.js';
import { send, sendSlowly } from './http/send.js';
import { resolveOptions, type SandboxOptions } from './options.js';
import { matchApiRoute } from './routes/api-routes.js';
import { CONTROL_CORS_HEADERS, handleControl } from './routes/control-routes.js';
import { pluginScript } from './routes/plugin-script.js';
import { SandboxState } from './state.js';

export interface RunningSandbox {
  /** Base URL without a trailing slash, e.g. `http://127.0.0.1:43127`. */
  url: string;
  port: number;
  /** Client of the control API, bound to `url`. */
  control: SandboxControl;
  /** Stops listening and destroys every open connection. */
  close(): Promise<void>;
}

const CONTROL_BODY_LIMIT = 1024 * 1024;
/** How long a refused oversize upload may keep sending before the connection is cut. */
const OVERSIZE_LINGER_MS = 10_000;
const PLUGIN_PATH = '/plugin_liveness.php';

function splitUrl(url: string | undefined): [path: string, query: string] {
  const raw = url ?? '/';
  const at = raw.indexOf('?');
  return at === -1 ? [raw, ''] : [raw.slice(0, at), raw.slice(at + 1)];
}

async function route(
  req: IncomingMessage,
  path: string,
  query: string,
  body: Buffer,
  state: SandboxState,
): Promise<ApiResponse> {
  const method = req.method ?? 'GET';
  if (path === PLUGIN_PATH) {
    return method === 'GET' || method === 'HEAD'
      ? pluginScript({ clipDurationMs: state.options.clipDurationMs })
      : methodNotAllowed(method, ['GET', 'HEAD']);
  }
  if (!path.startsWith('/api/')) return notFound(path);
  const match = matchApiRoute(method, path);
  if (match.kind === 'not-found') return notFound(path);
  if (match.kind === 'wrong-method') return methodNotAllowed(method, match.allowed);
  return match.handler(
    {
      method,
      path,
      query: new URLSearchParams(query),
      headers: req.headers,
      body,
      params: match.params,
    },
    state,
  );
}

async function handleControlRequest(
  req: IncomingMessage,
  res: ServerResponse,
  path: string,
  state: SandboxState,
): Promise<void> {
  const withCors = (response: ApiResponse): ApiResponse => ({
    ...response,
    headers: { ...response.headers, ...CONTROL_CORS_HEADERS },
  });
  const body = await readBody(req, res, CONTROL_BODY_LIMIT);
  if (body.kind === 'aborted') return;
  if (body.kind === 'too-large') {
    discardRest(req, OVERSIZE_LINGER_MS);
    send(
      res,
      withCors(ozError(413, OzErrorCode.INVALID_VALUE, 'Control request body is too large')),
    );
    return;
  }
  send(res, withCors(handleControl(req.method ?? 'GET', path, body.bytes, state)));
}

async function handle(
  req: IncomingMessage,
  res: ServerResponse,
  state: SandboxState,
  lifetime: AbortSignal,
): Promise<void> {
  const [path, query] = splitUrl(req.url);
  if (path.startsWith('/sandbox/')) return handleControlRequest(req, res, path, state);

  const entry = path.startsWith('/api/') ? state.log.begin(req, path, query) : undefined;
  if (entry) {
    res.once('close', () => {
      entry.status = res.writableFinished ? res.statusCode : 0;
    });
  }

  const limit = state.options.maxBodyBytes;
  const body = await readBody(req, res, limit);
  if (entry) {
    entry.bodyLength = body.length;
    entry.bodySha256 = body.sha256;
  }
  if (body.kind === 'aborted') return;
  if (body.kind === 'too-large') {
    const refusal = ozError(
      413,
      OzErrorCode.INVALID_VALUE,
      `Request body is larger than the limit of ${limit} bytes`,
      { max_bytes: limit },
    );
    const awaitingContinue = /100-continue/i.test(req.headers.expect ?? '') && !body.continueSent;
    // A client waiting for 100 Continue never sends the body: close instead of waiting for it.
    if (awaitingContinue) refusal.headers.connection = 'close';
    else discardRest(req, OVERSIZE_LINGER_MS);
    send(res, refusal);
    return;
  }

  const fault = state.faults.take(path);
  if (fault && answerWithFault(res, fault)) return;
  if (fault?.kind === 'latency') await sleep(fault.ms, undefined, { signal: lifetime });

  const response = await route(req, path, query, body.bytes, state);
  if (fault?.kind === 'slow-body') await sendSlowly(res, response, fault.chunkDelayMs, lifetime);
  else send(res, response);
}

function logLine(req: IncomingMessage, res: ServerResponse, startedAt: number): void {
  const [path] = splitUrl(req.url);
  const status = res.writableFinished ? res.statusCode : 0;
  const ms = (performance.now() - startedAt).toFixed(1);
  console.log(`oz-sandbox ${req.method} ${path} ${status === 0 ? 'reset' : status} ${ms}ms`);
}

function createSandboxServer(state: SandboxState, lifetime: AbortSignal): Server {
  const onRequest = (req: IncomingMessage, res: ServerResponse) => {
    const startedAt = performance.now();
    if (state.options.logRequests) res.once('close', () => logLine(req, res, startedAt));
    handle(req, res, state, lifetime).catch((error: unknown) => {
      if (lifetime.aborted) return;
      console.error('oz-sandbox: request failed', error);
      if (!res.headersSent) {
        send(res, ozError(500, OzErrorCode.UNKNOWN, 'Internal sandbox error'));
      } else {
        res.destroy();
      }
    });
  };
  const server = createServer(onRequest);
  // With a listener Node stops answering 100 Continue itself; readBody sends it when it wants the
  // body, which lets an oversize upload be refused before it is sent.
  server.on('checkContinue', onRequest);
  return server;
}

function urlHost(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}

/** Starts a sandbox Oz API (and Web Plugin stand-in) on `host:port` (default: a random port). */
export async function startSandbox(options?: SandboxOptions): Promise<RunningSandbox> {
  const resolved = resolveOptions(options);
  const state = new SandboxState(resolved);
  const lifetime = new AbortController();
  // Every delayed answer (latency, slow body) listens on this one signal at once: no leak, so no cap.
  setMaxListeners(0, lifetime.signal);
  const server = createSandboxServer(state, lifetime.signal);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(resolved.port, resolved.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  server.on('error', (error) => console.error('oz-sandbox: server error', error));
  const { port } = server.address() as AddressInfo;
  const url = `http://${urlHost(resolved.host)}:${port}`;
  let closing: Promise<void> | undefined;
  return {
    url,
    port,
    control: new SandboxControl(url),
    close() {
      closing ??= new Promise<void>((resolve) => {
        lifetime.abort();
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closing;
    },
  };
}
