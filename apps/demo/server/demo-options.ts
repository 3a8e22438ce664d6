/** What the demo server needs to know about its neighbours. */
export interface DemoServerOptions {
  /** Base URL of the gateway; the demo proxies `/graphql` there. */
  gatewayUrl: string;
  /** Full URL of the Oz Web Plugin script (the sandbox's `/plugin_liveness.php` by default). */
  pluginUrl: string;
  /** The gateway's RECEIPT_SECRET; without it `POST /api/signup` answers 500 DEMO_MISCONFIGURED. */
  receiptSecret: string | undefined;
}

/**
 * Reads the demo's configuration from the environment (`pnpm start` sets all three):
 * GATEWAY_URL (default http://127.0.0.1:4000), OZ_PLUGIN_URL (default the sandbox's plugin at
 * http://127.0.0.1:4010/plugin_liveness.php) and RECEIPT_SECRET.
 */
export function demoOptionsFromEnv(env: NodeJS.ProcessEnv): DemoServerOptions {
  return {
    gatewayUrl: env.GATEWAY_URL || 'http://127.0.0.1:4000',
    pluginUrl: env.OZ_PLUGIN_URL || 'http://127.0.0.1:4010/plugin_liveness.php',
    receiptSecret: env.RECEIPT_SECRET || undefined,
  };
}
