import type { GcTotals } from './gc-totals.js';

/** The servers the harness runs, each in its own child process so RSS and CPU are its own. */
export type ServerKind = 'upstream' | 'bare' | 'naive' | 'ours';

export interface ServerConfig {
  /** Where a gateway forwards to; unused by the upstream itself. */
  upstreamUrl?: string;
  accessToken: string;
  /** Origins allowed to call the gateway from a browser (figure 4's page). */
  corsOrigins?: string[];
  /**
   * Ours only: start the OpenTelemetry Node SDK first, as apps/gateway does when `OTEL_*` ask for
   * traces (the endpoint comes in the child's environment). Figure 5.
   */
  tracing?: boolean;
}

/** Parent → child messages over the IPC channel. */
export type ParentMessage = { type: 'stats' | 'gc'; id: number } | { type: 'stop' };

/** Child → parent messages over the IPC channel. */
export type ChildMessage =
  | { type: 'ready'; url: string }
  | { type: 'failed'; message: string }
  | { type: 'stats'; id: number; stats: unknown }
  | { type: 'gc'; id: number; gc: GcTotals };
