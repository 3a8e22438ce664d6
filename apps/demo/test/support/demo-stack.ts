import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { type RunningGateway, startGatewayServer } from '@oz-liveness/gateway';
import { type RunningSandbox, startSandbox } from '@oz-liveness/sandbox';
import { type PreviewServer, preview } from 'vite';
import { createDemoConfig } from '../../server/demo-vite-config.js';

/** The real chain on random loopback ports: sandbox (Oz) ← gateway ← demo server. */
export interface DemoStack {
  sandbox: RunningSandbox;
  gateway: RunningGateway;
  /** Base URL of the demo, no trailing slash. */
  demoUrl: string;
  receiptSecret: string;
  close(): Promise<void>;
}

/**
 * `allowedHosts`: extra host names the demo server answers to; Vite refuses any other `Host`
 * than localhost and IP addresses (DNS rebinding protection).
 */
export async function startDemoStack({ allowedHosts = [] as string[] } = {}): Promise<DemoStack> {
  const receiptSecret = randomBytes(32).toString('base64url');
  // Short clips: the pages need a capture to happen, not a long one.
  const sandbox = await startSandbox({ logRequests: false, clipDurationMs: 300 });
  const gateway = await startGatewayServer({
    ozApiUrl: sandbox.url,
    auth: { kind: 'login', email: 'sandbox@example.com', password: 'sandbox' },
    receiptSecret,
    // Every test asks for session tokens from the same loopback address.
    rateLimitPerMin: 10_000,
    logLevel: 'silent',
    drainTimeoutMs: 1_000,
  });
  const demo = await startDemoServer(
    {
      gatewayUrl: gateway.url,
      pluginUrl: `${sandbox.url}/plugin_liveness.php`,
      receiptSecret,
    },
    { allowedHosts },
  );
  return {
    sandbox,
    gateway,
    demoUrl: demo.url,
    receiptSecret,
    async close() {
      await demo.close();
      await gateway.close();
      await sandbox.close();
    },
  };
}

/** `vite preview` of the built demo, as `pnpm start` runs it, on a random port. */
export async function startDemoServer(
  options: Parameters<typeof createDemoConfig>[0],
  { allowedHosts = [] as string[] } = {},
): Promise<{ url: string; close(): Promise<void> }> {
  const config = createDemoConfig(options);
  const server: PreviewServer = await preview({
    ...config,
    configFile: false,
    logLevel: 'warn',
    preview: { ...config.preview, port: 0, strictPort: true, open: false, allowedHosts },
  });
  const address = server.httpServer.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${address.port}`,
    close: () => server.close(),
  };
}
