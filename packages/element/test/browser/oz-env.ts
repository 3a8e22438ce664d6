import { executeServerCommand } from '@web/test-runner-commands';

export interface OzTestConfig {
  origin: string;
  sandboxUrl: string;
  pluginSrc: string;
  gatewayUrl: string;
  tinyGatewayUrl: string;
  strictGatewayUrl: string;
  misconfiguredGatewayUrl: string;
  proxiedGatewayUrl: string;
  scriptedGatewayUrl: string;
}

export interface SandboxRequest {
  method: string;
  path: string;
  /** Lower-case names, secrets redacted by the sandbox. */
  headers: Record<string, string>;
  status: number;
  bodyLength: number;
  bodySha256: string;
}

export interface ScriptedRequest {
  operation: 'sessionToken' | 'submitCapsule';
  /** When the whole request had arrived, ms since the epoch (the server's clock). */
  at: number;
  headers: Record<string, string>;
  bodyLength: number;
  json?: { query: string; variables?: Record<string, unknown> };
  operations?: { query: string; variables: Record<string, unknown> };
  map?: Record<string, string[]>;
  partOrder?: string[];
  parts?: { name: string; type?: string; length: number; sha256: string }[];
}

let config: Promise<OzTestConfig> | undefined;

/** URLs of the servers the wtr config started (sandbox, gateways, proxy, scripted endpoint). */
export function ozConfig(): Promise<OzTestConfig> {
  config ??= fetch('/__oz-test-config').then((r) => r.json() as Promise<OzTestConfig>);
  return config;
}

/** Runs an `oz` server command (sandbox control, proxy, scripted gateway, camera permission). */
export function oz<T = unknown>(op: string, payload: Record<string, unknown> = {}): Promise<T> {
  return executeServerCommand('oz', { op, ...payload }) as Promise<T>;
}

export async function sha256Hex(blob: Blob): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', await blob.arrayBuffer());
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('');
}

/** Resolves when `predicate` holds, polling; rejects after `timeoutMs`. */
export async function until<T>(
  predicate: () => T | null | undefined | false,
  message: string,
  timeoutMs = 15_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = predicate();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${message}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
