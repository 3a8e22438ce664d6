import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { OzApiError, type OzClient, type OzFolder } from '@oz-liveness/oz-client';
import type { FileUpload } from 'graphql-upload/processRequest.mjs';
import type { Logger } from 'pino';
import type { ResolvedConfig } from './config.js';
import {
  badUserInput,
  ErrorCode,
  gatewayError,
  rateLimited,
  serviceUnavailable,
} from './errors.js';
import { IdempotentRunner } from './idempotency.js';
import { type LivenessResult, toLivenessResult } from './liveness-result.js';
import type { GatewayMetrics } from './metrics.js';
import { describeOzError, isAbort, mapOzError } from './oz-errors.js';
import type { RateLimiter } from './rate-limit.js';
import { bindingProblem } from './receipt/binding-hash.js';
import { type ResultStore, StoreUnavailableError } from './store/result-store.js';
import { tracedResultStore } from './tracing/traced-result-store.js';
import { inSpan, TraceAttribute } from './tracing/tracer.js';
import { type OpenedTicket, type TicketRefusal, TransactionTickets } from './transaction-ticket.js';
import { ClientGoneError, type ReceivedCapsule, receiveCapsule } from './upload/receive-capsule.js';
import { BUSY_RETRY_AFTER_S } from './upload/upload-admission.js';

/** What the resolvers find under `context.ozLiveness`. */
export interface OzLivenessRequestContext {
  service: OzLivenessService;
  requestId: string;
  clientIp: string;
  /** Aborted when the client disconnects before its answer was sent. */
  signal: AbortSignal;
  log: Logger;
}

export interface SessionTokenPayload {
  token: string;
  expiresAt: Date;
  transactionId: string;
}

export type Readiness =
  | { ready: true }
  | { ready: false; reason: 'OZ_UNAVAILABLE' | 'OZ_AUTH_FAILED' | 'DRAINING' };

/**
 * How long after its session token's `expiresAt` a transactionId is still accepted: a submission
 * that started in time may finish (upload, Oz, its automatic retries) and clocks of instances
 * may differ. Later, a capsule could not pass Oz anyway (its token has expired), so the id is
 * refused before Oz is called.
 */
export const TRANSACTION_GRACE_S = 300;

const ticketRefusals: Record<TicketRefusal, string> = {
  malformed: 'transactionId must be the one sessionToken returned.',
  forged: 'transactionId must be the one sessionToken returned.',
  expired: 'transactionId has expired: start a new capture.',
};

/** Idempotency lease when the store can renew it (`ResultStore.extend`), ms. */
const RENEWED_LEASE_MS = 15_000;

/** A folder id that cannot exist: asking for it proves Oz answers and accepts our token. */
const PROBE_FOLDER_ID = '00000000-0000-0000-0000-000000000000';

export interface OzLivenessServiceDeps {
  config: ResolvedConfig;
  oz: OzClient;
  store: ResultStore;
  rateLimiter: RateLimiter;
  metrics: GatewayMetrics;
  logger: Logger;
}

/**
 * The gateway's work, independent of HTTP: session tokens, capsule submission with
 * idempotency, readiness. Resolvers stay thin and call into it.
 */
export class OzLivenessService {
  readonly #config: ResolvedConfig;
  readonly #oz: OzClient;
  readonly #rateLimiter: RateLimiter;
  readonly #metrics: GatewayMetrics;
  readonly #logger: Logger;
  readonly #runner: IdempotentRunner;
  readonly #store: ResultStore;
  readonly #tickets: TransactionTickets;
  readonly #active = new Set<Promise<unknown>>();
  #draining = false;

  constructor(deps: OzLivenessServiceDeps) {
    this.#config = deps.config;
    this.#oz = deps.oz;
    this.#rateLimiter = deps.rateLimiter;
    this.#metrics = deps.metrics;
    this.#logger = deps.logger;
    this.#tickets = new TransactionTickets(deps.config.receiptSecret);
    this.#store = tracedResultStore(deps.store);
    this.#runner = new IdempotentRunner({
      store: this.#store,
      // For stores without `extend`: long enough for an upload to Oz to time out and be released.
      leaseMs: deps.config.ozTimeoutMs * 2 + 5_000,
      // Renewed while the submission runs: a crashed instance holds up retries this long at most.
      renewedLeaseMs: RENEWED_LEASE_MS,
      resultTtlMs: deps.config.resultTtlS * 1000,
      onLeaseLost: ({ transactionId, reason, error }) => {
        // The submission goes on (its POST may be under way); another instance may now send the
        // capsule too. In instant mode Oz then refuses one of the two (session token spent).
        this.#logger.warn(
          { transactionId, reason, ...(error ? { err: error } : {}) },
          'idempotency lease lost while submitting',
        );
      },
      onResultNotStored: (transactionId, error) => {
        this.#logger.warn(
          { transactionId, err: describeStoreError(error) },
          'result not stored (store unreachable); answered all the same',
        );
      },
      onResultStoredLate: (transactionId, afterMs) => {
        this.#logger.info({ transactionId, afterMs }, 'result stored once the store was back');
      },
    });
  }

  /** Submissions running now (in this process). */
  get activeSubmissions(): number {
    return this.#active.size;
  }

  /**
   * The per-request context the resolvers need; put it in your GraphQL context as `ozLiveness`.
   * The client IP is Express's `req.ip` (which honours `trust proxy`) unless given.
   */
  requestContext(
    req: IncomingMessage & { ip?: string | undefined },
    res: ServerResponse,
    clientIp?: string,
  ): OzLivenessRequestContext {
    const requestId = String((req as { id?: unknown }).id ?? randomUUID());
    const logger = this.#logger;
    let log: Logger | undefined;
    let controller: AbortController | undefined;
    return {
      service: this,
      requestId,
      clientIp: clientIp ?? req.ip ?? req.socket.remoteAddress ?? 'unknown',
      // Made on first use: a sessionToken never asks (see #issueSessionToken). An
      // AbortController with its listeners cost about a tenth of a token answer's CPU.
      get signal() {
        if (!controller) {
          const made = new AbortController();
          const abortIfGone = () => {
            if (!res.writableFinished) made.abort(new ClientGoneError('The client disconnected.'));
          };
          if (res.closed) abortIfGone();
          else res.once('close', abortIfGone);
          controller = made;
        }
        return controller.signal;
      },
      // Made on first use: most requests (every good sessionToken) log only their access line.
      // The request's own logger (ours, or the host app's pino-http) already carries its id.
      get log() {
        log ??= (req as { log?: Logger }).log ?? logger.child({ reqId: requestId });
        return log;
      },
    };
  }

  /**
   * `Query.sessionToken`: one fresh token per call, rate-limited per client IP. The
   * transactionId is a signed ticket carrying the binding's hash (see TransactionTickets).
   */
  issueSessionToken(
    ctx: OzLivenessRequestContext,
    binding?: string | null,
  ): Promise<SessionTokenPayload> {
    return inSpan(
      'oz_liveness.session_token',
      { [TraceAttribute.BOUND]: binding != null },
      async (span) => {
        const payload = await this.#issueSessionToken(ctx, binding);
        span.setAttribute(TraceAttribute.TRANSACTION_ID, payload.transactionId);
        return payload;
      },
    );
  }

  async #issueSessionToken(
    ctx: OzLivenessRequestContext,
    binding: string | null | undefined,
  ): Promise<SessionTokenPayload> {
    const problem = binding == null ? undefined : bindingProblem(binding);
    if (problem) throw badUserInput(`${problem}.`);
    const limit = await this.#rateLimiter.consume(ctx.clientIp);
    if (!limit.allowed) throw rateLimited(limit.retryAfterSeconds);
    // Issue time is taken before the call so `expiresAt` never overstates the token's life.
    const issuedAt = Date.now();
    try {
      // Not tied to the client's signal: a token GET is short and bounded by its own timeout,
      // and aborting it in flight would destroy its keep-alive connection to Oz for nothing
      // (the token is minted once Oz has the request; nobody could use it anyway).
      const { sessionToken } = await this.#oz.sessionToken({
        timeoutMs: this.#config.ozShortTimeoutMs,
      });
      const expiresAt = issuedAt + this.#config.sessionTokenTtlS * 1000;
      return {
        token: sessionToken,
        expiresAt: new Date(expiresAt),
        transactionId: this.#tickets.issue({
          expiresAt: Math.ceil(expiresAt / 1000) + TRANSACTION_GRACE_S,
          binding: binding ?? undefined,
        }),
      };
    } catch (error) {
      throw this.#upstreamFailure(error, ctx, 'sessionToken');
    }
  }

  /** `Mutation.submitCapsule`. `contextValue` is handed to `onResult`. */
  async submitCapsule(
    upload: Promise<FileUpload>,
    transactionId: string,
    ctx: OzLivenessRequestContext,
    contextValue: unknown,
  ): Promise<LivenessResult> {
    // Before the capsule is read: an id no instance issued never costs an upload or an Oz call.
    const ticket = this.#tickets.open(transactionId);
    if (typeof ticket === 'string') {
      ctx.log.info({ reason: ticket }, 'transactionId refused');
      throw badUserInput(ticketRefusals[ticket]);
    }
    const tracked = inSpan(
      'oz_liveness.submit_capsule',
      { [TraceAttribute.TRANSACTION_ID]: transactionId },
      async (span) => {
        const result = await this.#submit(upload, transactionId, ticket, ctx, contextValue);
        span.setAttributes({
          [TraceAttribute.FOLDER_ID]: result.folderId,
          [TraceAttribute.DECISION]: result.decision,
        });
        return result;
      },
    );
    this.#active.add(tracked);
    try {
      return await tracked;
    } finally {
      this.#active.delete(tracked);
    }
  }

  async #submit(
    upload: Promise<FileUpload>,
    transactionId: string,
    ticket: OpenedTicket,
    ctx: OzLivenessRequestContext,
    contextValue: unknown,
  ): Promise<LivenessResult> {
    // Nothing goes upstream until this request's own capsule has fully arrived within the limit.
    const capsule = await inSpan('oz_liveness.receive_capsule', {}, async (span) => {
      const received = await receiveCapsule(upload, this.#config.capsuleMaxBytes);
      span.setAttribute(TraceAttribute.CAPSULE_BYTES, received.byteLength);
      return received;
    });
    ctx.log.debug({ transactionId, bytes: capsule.byteLength }, 'capsule received');
    try {
      return await this.#forward(capsule, transactionId, ticket, ctx, contextValue);
    } catch (error) {
      if (!(error instanceof StoreUnavailableError)) throw error;
      // No lease, so nothing went to Oz: the same capsule may safely be sent again.
      this.#metrics.uploadRefused('store_unavailable');
      ctx.log.warn({ transactionId }, 'result store unreachable: submission refused before Oz');
      throw serviceUnavailable(
        'The gateway cannot reach its shared store; nothing was sent to Oz. Try again shortly.',
        BUSY_RETRY_AFTER_S,
      );
    } finally {
      await capsule.discard();
    }
  }

  #forward(
    capsule: ReceivedCapsule,
    transactionId: string,
    ticket: OpenedTicket,
    ctx: OzLivenessRequestContext,
    contextValue: unknown,
  ): Promise<LivenessResult> {
    return this.#runner.run(
      transactionId,
      async (signal) => {
        let folder: OzFolder;
        try {
          this.#metrics.capsuleForwarded(capsule.byteLength);
          folder = await this.#oz.submitContainer(capsule.open, {
            mode: this.#config.ozApiMode,
            contentLength: capsule.byteLength,
            signal,
            timeoutMs: this.#config.ozTimeoutMs,
          });
        } catch (error) {
          const recovered = await this.#recoverFolder(error, transactionId, ctx);
          if (!recovered) throw this.#upstreamFailure(error, ctx, 'submitCapsule');
          folder = recovered;
        }
        return this.#finish(transactionId, ticket, folder, ctx, contextValue);
      },
      ctx.signal,
    );
  }

  /**
   * Full mode keeps folders, so when Oz says the session token is spent (code 14) the first
   * attempt may have landed after all (a timeout or reset after Oz took the body): look it up.
   */
  async #recoverFolder(
    error: unknown,
    transactionId: string,
    ctx: OzLivenessRequestContext,
  ): Promise<OzFolder | null> {
    if (this.#config.ozApiMode !== 'full' || !(error instanceof OzApiError) || error.code !== 14) {
      return null;
    }
    try {
      const folder = await this.#oz.findFolderByTransaction(transactionId, {
        signal: ctx.signal,
        timeoutMs: this.#config.ozShortTimeoutMs,
      });
      if (folder) ctx.log.info({ transactionId, folderId: folder.folderId }, 'folder recovered');
      return folder;
    } catch (lookupError) {
      ctx.log.warn({ err: describeOzError(lookupError) }, 'folder lookup failed');
      return null;
    }
  }

  async #finish(
    transactionId: string,
    ticket: OpenedTicket,
    folder: OzFolder,
    ctx: OzLivenessRequestContext,
    contextValue: unknown,
  ): Promise<LivenessResult> {
    const captured = folder.metaData?.transaction_id;
    if (captured !== undefined && captured !== transactionId) {
      // The capsule was made for another transaction: its verdict must not be filed under this one.
      ctx.log.warn({ transactionId, folderId: folder.folderId }, 'capsule transaction mismatch');
      throw gatewayError(
        ErrorCode.CAPSULE_REJECTED,
        'The capsule was captured for another transactionId.',
        { extensions: { ozErrorCode: null } },
      );
    }
    const result = await toLivenessResult(transactionId, folder, {
      secret: this.#config.receiptSecret,
      // Every receipt this transaction can ever get (a full-mode recovery signs a new one)
      // expires at the same second, so a replay store keeping its tid until then refuses all.
      expiresAt: ticket.expiresAt + this.#config.receiptTtlS,
      bnd: ticket.bindingHash,
    });
    this.#metrics.decided(result.decision);
    ctx.log.info(
      { transactionId, folderId: result.folderId, decision: result.decision },
      'liveness result',
    );
    if (this.#config.onResult) {
      try {
        await this.#config.onResult(structuredClone(result), {
          contextValue,
          folder,
          requestId: ctx.requestId,
        });
      } catch (error) {
        // The verdict stands (Oz has spent the session token); the hook's failure is logged.
        ctx.log.error({ err: error, transactionId }, 'onResult failed');
      }
    }
    return result;
  }

  #upstreamFailure(error: unknown, ctx: OzLivenessRequestContext, operation: string): Error {
    if (isAbort(error) && ctx.signal.aborted) {
      return new ClientGoneError('The client disconnected.');
    }
    const mapped = mapOzError(error);
    ctx.log.warn(
      { operation, err: describeOzError(error), code: mapped?.extensions.code ?? 'INTERNAL' },
      'upstream call failed',
    );
    return mapped ?? (error as Error);
  }

  /**
   * A stored result by transactionId, from the result store only (no Oz call): `null` when the
   * id was not issued with this gateway's secret, or its result is not (or no longer) stored.
   * Results stay as long as the store keeps them (`resultTtlS`). For the subgraph's entity.
   */
  async storedResult(transactionId: string): Promise<LivenessResult | null> {
    const ticket = this.#tickets.open(transactionId);
    // An expired ticket's result may still be stored: only ids nobody issued are not looked up.
    if (ticket === 'malformed' || ticket === 'forged') return null;
    return (await this.#store.get(transactionId)) ?? null;
  }

  /** Oz reachable and our credentials accepted (for `/readyz`). */
  async readiness(): Promise<Readiness> {
    if (this.#draining) return { ready: false, reason: 'DRAINING' };
    const timeoutMs = this.#config.ozShortTimeoutMs;
    try {
      await this.#oz.ensureAuthenticated({ timeoutMs });
      await this.#oz.getFolder(PROBE_FOLDER_ID, { timeoutMs });
      return { ready: true };
    } catch (error) {
      if (error instanceof OzApiError && error.status === 404) return { ready: true };
      const code = mapOzError(error)?.extensions.code;
      return {
        ready: false,
        reason: code === ErrorCode.OZ_AUTH_FAILED ? 'OZ_AUTH_FAILED' : 'OZ_UNAVAILABLE',
      };
    }
  }

  /**
   * Stops reporting ready and resolves once running submissions have finished, and results that
   * failed to store have been stored or given up (or `timeoutMs`).
   */
  async drain(timeoutMs: number): Promise<boolean> {
    this.#draining = true;
    if (this.#active.size === 0 && this.#runner.pendingStores === 0) return true;
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, timeoutMs);
    });
    // New submissions may start while draining (requests already on open connections).
    const settled = async () => {
      while (this.#active.size > 0) await Promise.allSettled([...this.#active]);
      await this.#runner.storesSettled();
    };
    await Promise.race([settled(), timedOut]);
    clearTimeout(timer);
    return this.#active.size === 0 && this.#runner.pendingStores === 0;
  }

  get draining(): boolean {
    return this.#draining;
  }
}

/** Name and code of a store failure, never its message (it may name hosts or keys). */
function describeStoreError(error: unknown): { name?: string; code?: string } {
  const cause = (error as { cause?: unknown } | null)?.cause ?? error;
  const { name, code } = (cause ?? {}) as { name?: unknown; code?: unknown };
  return {
    ...(typeof name === 'string' ? { name } : {}),
    ...(typeof code === 'string' ? { code } : {}),
  };
}
