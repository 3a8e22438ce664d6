import { AuthEndpoints, isHeaderSafeToken, type OzCredentials } from './auth/auth-endpoints.js';
import type { AuthStrategy } from './auth/auth-strategy.js';
import { LoginAuth } from './auth/login-auth.js';
import { NoAuth } from './auth/no-auth.js';
import { StaticTokenAuth } from './auth/static-token-auth.js';
import { ContainerBodySource } from './container-body.js';
import { CallDeadline } from './deadline.js';
import { isAuthRejection, OzAuthError, OzTransportError } from './errors.js';
import { parseFolder, parseFolderList } from './folder.js';
import { HttpTransport } from './http.js';
import type {
  CallOptions,
  ContainerBody,
  OzAuthOptions,
  OzAuthTokens,
  OzClientOptions,
  OzFolder,
  OzOperation,
  SubmitOptions,
} from './types.js';

const DEFAULTS = {
  connectMs: 5_000,
  sessionTokenMs: 10_000,
  submitMs: 60_000,
  defaultMs: 10_000,
  connections: 10,
  refreshSkewMs: 60_000,
};

type Send<T> = (headers: Record<string, string>, deadline: CallDeadline) => Promise<T>;

/**
 * Typed client of the Oz API. One instance holds one keep-alive connection pool and, with the
 * login strategy, one token pair shared by all calls; create it once and `close()` it on shutdown.
 */
export class OzClient {
  readonly #http: HttpTransport;
  readonly #endpoints: AuthEndpoints;
  readonly #auth: AuthStrategy;
  readonly #timeouts: { sessionTokenMs: number; submitMs: number; defaultMs: number };

  constructor(options: OzClientOptions) {
    validateBaseUrl(options.baseUrl);
    const timeouts = {
      connectMs: positive('timeouts.connectMs', options.timeouts?.connectMs, DEFAULTS.connectMs),
      sessionTokenMs: positive(
        'timeouts.sessionTokenMs',
        options.timeouts?.sessionTokenMs,
        DEFAULTS.sessionTokenMs,
      ),
      submitMs: positive('timeouts.submitMs', options.timeouts?.submitMs, DEFAULTS.submitMs),
      defaultMs: positive('timeouts.defaultMs', options.timeouts?.defaultMs, DEFAULTS.defaultMs),
    };
    const connections = positive('connections', options.connections, DEFAULTS.connections);
    if (!Number.isInteger(connections)) throw new RangeError('connections must be an integer');
    const refreshSkewMs = options.refreshSkewMs ?? DEFAULTS.refreshSkewMs;
    if (!Number.isFinite(refreshSkewMs) || refreshSkewMs < 0) {
      throw new RangeError('refreshSkewMs must be a non-negative number');
    }
    this.#timeouts = timeouts;

    let auth: AuthStrategy | undefined;
    this.#http = new HttpTransport({
      baseUrl: options.baseUrl,
      connections,
      connectMs: timeouts.connectMs,
      ...(options.onUpstreamCall && { onUpstreamCall: options.onUpstreamCall }),
      ...(options.onUpstreamConnect && { onUpstreamConnect: options.onUpstreamConnect }),
      knownSecrets: () => auth?.secrets() ?? [],
    });
    this.#endpoints = new AuthEndpoints(this.#http);
    auth = createAuth(options.auth ?? { kind: 'none' }, {
      endpoints: this.#endpoints,
      refreshSkewMs,
      exchangeTimeoutMs: timeouts.defaultMs,
    });
    this.#auth = auth;
  }

  /**
   * Logs in (`POST /api/authorize/auth/`) and returns the token pair. A plain call: it does not
   * change how this client authenticates its other calls.
   */
  async authorize(credentials: OzCredentials, opts?: CallOptions): Promise<OzAuthTokens> {
    validateCredentials(credentials);
    return this.#within('authorize', this.#timeouts.defaultMs, opts, (deadline) =>
      this.#endpoints.login(credentials, deadline),
    );
  }

  /**
   * Refreshes the login strategy's token pair now (`POST /api/authorize/refresh/`, falling back
   * to a login) and returns it. Only with `auth.kind === 'login'`.
   */
  async refresh(opts?: CallOptions): Promise<OzAuthTokens> {
    return this.#within('refresh', this.#timeouts.defaultMs, opts, (deadline) =>
      this.#auth.refresh(deadline),
    );
  }

  /** A fresh single-use session token for one capture (`GET /api/authorize/session_token`). */
  async sessionToken(opts?: CallOptions): Promise<{ sessionToken: string }> {
    return this.#call('sessionToken', this.#timeouts.sessionTokenMs, opts, true, async (h, d) => {
      const { status, json } = await this.#http.request({
        operation: 'sessionToken',
        method: 'GET',
        path: '/api/authorize/session_token',
        headers: h,
        deadline: d,
      });
      const token =
        json !== null && typeof json === 'object'
          ? (json as Record<string, unknown>).session_token
          : undefined;
      if (typeof token !== 'string' || token === '') {
        throw new OzTransportError({
          operation: 'sessionToken',
          reason: 'bad-response',
          status,
          message: 'Oz sent an answer that could not be read: no session_token',
        });
      }
      return { sessionToken: token };
    });
  }

  /**
   * Sends one container as raw `application/octet-stream` to `/api/instant/folders/` (instant)
   * or `/api/folders/` (full) and returns the folder Oz created (HTTP 201).
   */
  async submitContainer(body: ContainerBody, opts: SubmitOptions): Promise<OzFolder> {
    const mode = opts?.mode;
    if (mode !== 'instant' && mode !== 'full') {
      throw new TypeError("opts.mode must be 'instant' or 'full'");
    }
    const source = new ContainerBodySource(body, opts.contentLength);
    const path = mode === 'instant' ? '/api/instant/folders/' : '/api/folders/';
    try {
      return await this.#call(
        'submitContainer',
        this.#timeouts.submitMs,
        opts,
        source.replayable,
        async (h, d) => {
          const attempt = source.next();
          const headers: Record<string, string> = {
            ...h,
            'content-type': 'application/octet-stream',
          };
          if (attempt.contentLength !== undefined) {
            headers['content-length'] = String(attempt.contentLength);
          }
          const { status, json } = await this.#http.request({
            operation: 'submitContainer',
            method: 'POST',
            path,
            headers,
            body: attempt.body,
            deadline: d,
          });
          return parseFolder(json, 'submitContainer', status);
        },
      );
    } finally {
      source.discard();
    }
  }

  /** A stored folder (full mode): `GET /api/folders/{id}/`. Unknown id → OzApiError 404. */
  async getFolder(folderId: string, opts?: CallOptions): Promise<OzFolder> {
    if (typeof folderId !== 'string' || folderId.trim() === '') {
      throw new TypeError('folderId must be a non-empty string');
    }
    return this.#call('getFolder', this.#timeouts.defaultMs, opts, true, async (h, d) => {
      const { status, json } = await this.#http.request({
        operation: 'getFolder',
        method: 'GET',
        path: `/api/folders/${encodeURIComponent(folderId)}/`,
        headers: h,
        deadline: d,
      });
      return parseFolder(json, 'getFolder', status);
    });
  }

  /**
   * The folder whose `meta_data.transaction_id` is `transactionId` (full mode), or null. If Oz
   * holds several, the most recently created one.
   */
  async findFolderByTransaction(
    transactionId: string,
    opts?: CallOptions,
  ): Promise<OzFolder | null> {
    if (typeof transactionId !== 'string' || transactionId.trim() === '') {
      throw new TypeError('transactionId must be a non-empty string');
    }
    const query = new URLSearchParams({
      meta_data: `transaction_id==${transactionId}`,
      with_analyses: 'true',
    });
    return this.#call(
      'findFolderByTransaction',
      this.#timeouts.defaultMs,
      opts,
      true,
      async (h, d) => {
        const { status, json } = await this.#http.request({
          operation: 'findFolderByTransaction',
          method: 'GET',
          path: `/api/folders/?${query}`,
          headers: h,
          deadline: d,
        });
        // Filter again: an Oz that ignored the filter must not hand us someone else's folder.
        const matches = parseFolderList(json, 'findFolderByTransaction', status).filter(
          (folder) => folder.metaData.transaction_id === transactionId,
        );
        return latest(matches);
      },
    );
  }

  /** Auth check for readiness probes: gets a valid access token (no-op for none/static). */
  async ensureAuthenticated(opts?: CallOptions): Promise<void> {
    await this.#within('authorize', this.#timeouts.defaultMs, opts, (deadline) =>
      this.#auth.headers(deadline),
    );
  }

  /** Closes the connection pool after in-flight calls finish; later calls fail. */
  async close(): Promise<void> {
    await this.#http.close();
  }

  /**
   * Runs one authenticated call under one deadline. On 401/403 the strategy decides whether a
   * fresh token can help; if so (and the request can be resent) the call is retried once.
   */
  async #call<T>(
    operation: OzOperation,
    defaultTimeoutMs: number,
    opts: CallOptions | undefined,
    canResend: boolean,
    send: Send<T>,
  ): Promise<T> {
    return this.#within(operation, defaultTimeoutMs, opts, async (deadline) => {
      const headers = await this.#auth.headers(deadline);
      try {
        return await send(headers, deadline);
      } catch (error) {
        if (!isAuthRejection(error)) throw error;
        if (!this.#auth.rejected(headers) || !canResend) throw OzAuthError.from(error);
      }
      try {
        return await send(await this.#auth.headers(deadline), deadline);
      } catch (error) {
        throw isAuthRejection(error) ? OzAuthError.from(error) : error;
      }
    });
  }

  /** Runs `work` under one deadline, ended when the work settles. */
  async #within<T>(
    operation: OzOperation,
    defaultMs: number,
    opts: CallOptions | undefined,
    work: (deadline: CallDeadline) => Promise<T>,
  ): Promise<T> {
    const deadline = new CallDeadline(operation, opts?.timeoutMs ?? defaultMs, opts?.signal);
    try {
      return await work(deadline);
    } finally {
      deadline.end();
    }
  }
}

function createAuth(
  auth: OzAuthOptions,
  deps: { endpoints: AuthEndpoints; refreshSkewMs: number; exchangeTimeoutMs: number },
): AuthStrategy {
  switch (auth.kind) {
    case 'none':
      return new NoAuth();
    case 'token':
      if (!isHeaderSafeToken(auth.token)) {
        throw new TypeError('auth.token must be a non-empty token of printable ASCII characters');
      }
      return new StaticTokenAuth(auth.token);
    case 'login':
      validateCredentials(auth);
      return new LoginAuth({
        endpoints: deps.endpoints,
        credentials: { email: auth.email, password: auth.password },
        refreshSkewMs: deps.refreshSkewMs,
        exchangeTimeoutMs: deps.exchangeTimeoutMs,
      });
    default:
      throw new TypeError("auth.kind must be 'none', 'token' or 'login'");
  }
}

function validateBaseUrl(baseUrl: string): void {
  let url: URL;
  try {
    url = new URL(baseUrl);
  } catch {
    throw new TypeError('baseUrl must be an absolute http(s) URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new TypeError('baseUrl must be an absolute http(s) URL');
  }
  if (url.search || url.hash || url.username || url.password) {
    throw new TypeError('baseUrl must not carry credentials, a query or a fragment');
  }
}

function validateCredentials(credentials: { email?: unknown; password?: unknown }): void {
  if (typeof credentials?.email !== 'string' || credentials.email === '') {
    throw new TypeError('email must be a non-empty string');
  }
  if (typeof credentials.password !== 'string' || credentials.password === '') {
    throw new TypeError('password must be a non-empty string');
  }
}

function positive(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isFinite(value) || value <= 0)
    throw new RangeError(`${name} must be a positive number`);
  return value;
}

function latest(folders: OzFolder[]): OzFolder | null {
  let best: OzFolder | null = null;
  for (const folder of folders) {
    if (!best || (folder.timeCreated ?? '') >= (best.timeCreated ?? '')) best = folder;
  }
  return best;
}
