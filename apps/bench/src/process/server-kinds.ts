import type { GcTotals } from './gc-totals.js';

/** The servers the harness runs, each in its own child process so RSS and CPU are its own. */
export type ServerKind = 'upstream' | 'bare' | 'spool' | 'naive' | 'ours';

export interface ServerConfig {
  /** Where a gateway forwards to; unused by the upstream itself. */
  upstreamUrl?: string;
  accessToken: string;
  /** Origins allowed to call the gateway from a browser (figure 4's page). */
  corsOrigins?: string[];
  /**
   * Ours only: start the OpenTelemetry Node SDK first, as apps/gateway does when `OTEL_*` ask for
   * traces (the endpoint comes in the child's environment). Figure 6.
   */
  tracing?: boolean;
  /** The upstream's own settings (see UpstreamOptions). */
  answerDelayMs?: number;
  faultEvery?: number;
  /** Our gateway's upload limit (`MAX_CONCURRENT_UPLOADS`), raised for the slow-Oz figure. */
  maxConcurrentUploads?: number;
}

/** Parent → child messages over the IPC channel. */
export type ParentMessage = { type: 'stats' | 'gc' | 'heap'; id: number } | { type: 'stop' };

/** Child → parent messages over the IPC channel. */
export type ChildMessage =
  | { type: 'ready'; url: string }
  | { type: 'failed'; message: string }
  | { type: 'stats'; id: number; stats: unknown }
  | { type: 'gc'; id: number; gc: GcTotals }
  /** Heap used after a full GC (needs --expose-gc; else without one), bytes. */
  | { type: 'heap'; id: number; heapUsedBytes: number };
