export interface SandboxCredentials {
  email: string;
  password: string;
}

export interface SandboxOptions {
  /** Port to listen on. Default 0: a random free port (the CLI defaults to 4010). */
  port?: number;
  /** Address to listen on. Default `127.0.0.1`. */
  host?: string;
  /** The one account that may log in. Default `sandbox@example.com` / `sandbox`. */
  credentials?: SandboxCredentials;
  /**
   * Whether `/api/*` calls need `X-Forensic-Access-Token`. Default true; false behaves like an
   * Instant API installation whose auth is the integrator's own (the header is ignored).
   */
  requireAuth?: boolean;
  /** Access token lifetime in seconds, slid forward on each use. Default 900 (15 min, like Oz). */
  accessTokenTtlS?: number;
  /** Session token lifetime in seconds. Default 900. */
  sessionTokenTtlS?: number;
  /** Largest request body accepted, in bytes. Default 10485760 (10 MiB, like Oz). */
  maxBodyBytes?: number;
  /** Print one line per request (method, path, status, duration; never headers or bodies). */
  logRequests?: boolean;
  /**
   * How long the Web Plugin stand-in records, ms. Default 1500. Tests that only need a capture to
   * happen set it lower: every capture waits for the whole clip.
   */
  clipDurationMs?: number;
}

export type ResolvedOptions = Required<SandboxOptions>;

export const DEFAULT_CREDENTIALS: SandboxCredentials = {
  email: 'sandbox@example.com',
  password: 'sandbox',
};

function positive(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw new TypeError(`sandbox option ${name} must be a positive number, got ${String(value)}`);
  }
  return value;
}

export function resolveOptions(options: SandboxOptions = {}): ResolvedOptions {
  const port = options.port ?? 0;
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new TypeError(`sandbox option port must be an integer 0-65535, got ${String(port)}`);
  }
  const credentials = options.credentials ?? DEFAULT_CREDENTIALS;
  if (!credentials.email || !credentials.password) {
    throw new TypeError('sandbox option credentials needs a non-empty email and password');
  }
  return {
    port,
    host: options.host ?? '127.0.0.1',
    credentials,
    requireAuth: options.requireAuth ?? true,
    accessTokenTtlS: positive('accessTokenTtlS', options.accessTokenTtlS, 900),
    sessionTokenTtlS: positive('sessionTokenTtlS', options.sessionTokenTtlS, 900),
    maxBodyBytes: Math.floor(positive('maxBodyBytes', options.maxBodyBytes, 10 * 1024 * 1024)),
    logRequests: options.logRequests ?? false,
    clipDurationMs: Math.round(positive('clipDurationMs', options.clipDurationMs, 1500)),
  };
}
