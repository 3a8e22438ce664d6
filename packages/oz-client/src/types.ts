/** The Oz API calls this client makes; carried by errors and metrics events. */
export type OzOperation =
  | 'authorize'
  | 'refresh'
  | 'sessionToken'
  | 'submitContainer'
  | 'getFolder'
  | 'findFolderByTransaction';

/** How the client authenticates to Oz. */
export type OzAuthOptions =
  /** No `X-Forensic-Access-Token` (Instant installations whose auth is the integrator's own). */
  | { kind: 'none' }
  /** A long-lived (service account) access token sent as is. */
  | { kind: 'token'; token: string }
  /** Log in lazily, refresh before expiry, re-login once on 401/403. */
  | { kind: 'login'; email: string; password: string };

/** What `onUpstreamCall` receives after every HTTP request to Oz. Carries no secrets. */
export interface OzUpstreamCallEvent {
  operation: OzOperation;
  /** HTTP status, or null when no answer arrived (timeout, refused, reset, aborted). */
  status: number | null;
  durationMs: number;
  /** null on success; `oz:<error_code>` (or `oz:unknown`) for an Oz error answer; `transport:<reason>` otherwise. */
  errorCode: string | null;
}

export interface OzClientOptions {
  /** Base URL of the Oz API, e.g. `https://api.example.ozforensics.com` (a path prefix is kept). */
  baseUrl: string;
  /** Default `{ kind: 'none' }`. */
  auth?: OzAuthOptions;
  timeouts?: {
    /** TCP/TLS connect timeout. Default 5000. */
    connectMs?: number;
    /** Whole `sessionToken()` call. Default 10000. */
    sessionTokenMs?: number;
    /** Whole `submitContainer()` call, upload included. Default 60000. */
    submitMs?: number;
    /** Every other call. Default 10000. */
    defaultMs?: number;
  };
  /** Keep-alive connections in the pool. Default 10. */
  connections?: number;
  /** Login strategy: refresh the access token this long before `expire_date`. Default 60000. */
  refreshSkewMs?: number;
  /** Called after every upstream HTTP request (login and refresh included), e.g. for metrics. */
  onUpstreamCall?: (event: OzUpstreamCallEvent) => void;
  /**
   * Called each time the pool opens a connection to Oz (a TCP and, for https, a TLS handshake).
   * With keep-alive working it stays near the pool size; rising with every call means it is not.
   */
  onUpstreamConnect?: () => void;
}

export interface CallOptions {
  /** Aborts the call (OzTransportError reason 'aborted'). */
  signal?: AbortSignal;
  /** Deadline for the whole call, login and one retry included; overrides the defaults. */
  timeoutMs?: number;
}

export interface SubmitOptions extends CallOptions {
  /** `instant` → `POST /api/instant/folders/`, `full` → `POST /api/folders/`. */
  mode: 'instant' | 'full';
  /** Byte length of a stream body, sent as `Content-Length` (chunked upload without it). */
  contentLength?: number;
}

/**
 * Bytes, or a factory returning a fresh stream each call (so a re-login can resend the body). A
 * bare one-shot stream is accepted too, but then a 401 cannot be retried.
 */
export type ContainerBody = Uint8Array | NodeJS.ReadableStream | (() => NodeJS.ReadableStream);

/** An access token pair. `toJSON` and `util.inspect` redact both tokens. */
export interface OzAuthTokens {
  accessToken: string;
  expireToken: string;
  expiresAt: Date;
}

/** A folder as Oz returns it, parsed leniently: everything Oz sent is still in `raw`. */
export interface OzFolder {
  folderId: string;
  /** INITIAL, PROCESSING, FINISHED, FAILED (verbatim; '' if Oz sent none). */
  resolutionStatus: string;
  /** INITIAL, PROCESSING, SUCCESS, DECLINED, OPERATOR_REQUIRED, FAILED (verbatim; '' if none). */
  systemResolution: string;
  timeCreated?: string;
  timeUpdated?: string;
  /** `meta_data` with string values only (what the plugin was given as `meta`). */
  metaData: Record<string, string>;
  analyses: OzAnalysis[];
  media: unknown[];
  raw: Record<string, unknown>;
}

export interface OzAnalysis {
  /** `analyse_id`, or `analysis_id` as some Oz pages write it. */
  id: string;
  /** QUALITY (liveness), BIOMETRY (face match), … */
  type: string;
  /** PROCESSING, FINISHED, FAILED. */
  state?: string;
  /** SUCCESS, DECLINED, OPERATOR_REQUIRED, or the state while not finished. */
  resolutionStatus: string;
  /** Highest `results_media[].results_data.confidence_spoofing` (0–1, chance of a spoof). */
  confidenceSpoofing?: number;
  raw: Record<string, unknown>;
}
