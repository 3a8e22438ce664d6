/** A failure the sandbox plays instead of (or around) its normal answer. */
export type Fault = (
  | { kind: 'latency'; ms: number }
  | { kind: 'status'; status: number; body?: string }
  | { kind: 'reset' }
  | { kind: 'reset-after-headers' }
  | { kind: 'slow-body'; chunkDelayMs: number }
  | { kind: 'malformed-json' }
  | { kind: 'unauthorized'; status?: 401 | 403 }
) & {
  /** How many matching requests it applies to (default 1). */
  count?: number;
  /**
   * Path prefix it matches. Default: every `/api/` path except `/api/authorize/auth/` and
   * `/api/authorize/refresh/`, so a client can still log in while its calls fail.
   */
  path?: string;
};

export type FaultKind = Fault['kind'];

const AUTH_PATHS = ['/api/authorize/auth/', '/api/authorize/refresh/'];
const MAX_DELAY_MS = 10 * 60 * 1000;

function delay(value: unknown, name: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || value > MAX_DELAY_MS) {
    throw new Error(`${name} must be a number of milliseconds between 0 and ${MAX_DELAY_MS}`);
  }
  return value;
}

/** Validates a fault from the control API; throws with a message saying what is wrong. */
export function parseFault(value: unknown): Fault {
  if (!value || typeof value !== 'object') throw new Error('a fault must be a JSON object');
  const input = value as Record<string, unknown>;
  const common: { count?: number; path?: string } = {};
  if (input.count !== undefined) {
    if (!Number.isInteger(input.count) || (input.count as number) < 1) {
      throw new Error('count must be a positive integer');
    }
    common.count = input.count as number;
  }
  if (input.path !== undefined) {
    if (typeof input.path !== 'string' || !input.path.startsWith('/')) {
      throw new Error('path must be a string starting with "/"');
    }
    common.path = input.path;
  }
  switch (input.kind) {
    case 'latency':
      return { kind: 'latency', ms: delay(input.ms, 'ms'), ...common };
    case 'slow-body':
      return {
        kind: 'slow-body',
        chunkDelayMs: delay(input.chunkDelayMs, 'chunkDelayMs'),
        ...common,
      };
    case 'status': {
      const status = input.status;
      if (!Number.isInteger(status) || (status as number) < 200 || (status as number) > 599) {
        throw new Error('status must be an HTTP status between 200 and 599');
      }
      if (input.body !== undefined && typeof input.body !== 'string') {
        throw new Error('body must be a string');
      }
      return input.body === undefined
        ? { kind: 'status', status: status as number, ...common }
        : { kind: 'status', status: status as number, body: input.body, ...common };
    }
    case 'unauthorized': {
      if (input.status !== undefined && input.status !== 401 && input.status !== 403) {
        throw new Error('status must be 401 or 403');
      }
      return input.status === undefined
        ? { kind: 'unauthorized', ...common }
        : { kind: 'unauthorized', status: input.status, ...common };
    }
    case 'reset':
    case 'reset-after-headers':
    case 'malformed-json':
      return { kind: input.kind, ...common };
    default:
      throw new Error(
        'kind must be one of latency, status, reset, reset-after-headers, slow-body, malformed-json, unauthorized',
      );
  }
}

function matches(fault: Fault, path: string): boolean {
  if (fault.path !== undefined) return path.startsWith(fault.path);
  return path.startsWith('/api/') && !AUTH_PATHS.includes(path);
}

/** Injected faults, applied in the order they were added, each to its next `count` requests. */
export class FaultQueue {
  readonly #faults: Array<{ fault: Fault; remaining: number }> = [];

  add(fault: Fault): void {
    this.#faults.push({ fault, remaining: fault.count ?? 1 });
  }

  /** The first fault matching this path, counted as used. */
  take(path: string): Fault | undefined {
    const index = this.#faults.findIndex((entry) => matches(entry.fault, path));
    if (index === -1) return undefined;
    const entry = this.#faults[index]!;
    entry.remaining -= 1;
    if (entry.remaining === 0) this.#faults.splice(index, 1);
    return entry.fault;
  }

  get size(): number {
    return this.#faults.length;
  }

  clear(): void {
    this.#faults.length = 0;
  }
}
