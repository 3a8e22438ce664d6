import { startTestRedis, type TestRedis } from '@oz-liveness/sandbox/test-redis';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { type GatewayProcess, spawnGateway } from '../support/gateway-process.js';
import type { SandboxProcess } from './support/sandbox-process.js';
import { gatewayEnv, startReliabilitySandbox } from './support/stack.js';
import { runStoreOutage } from './support/store-outage-scenario.js';

describe('store outage: redis-server stopped and restarted in the middle of a load', () => {
  let redis: TestRedis;
  let sandbox: SandboxProcess;
  const gateways = {} as Record<'A' | 'B', GatewayProcess>;

  beforeAll(async () => {
    // Its own redis-server: stopping it must not touch the suite's shared one.
    redis = await startTestRedis();
    sandbox = await startReliabilitySandbox();
    const env = gatewayEnv(sandbox, redis.url);
    [gateways.A, gateways.B] = await Promise.all([spawnGateway(env), spawnGateway(env)]);
  });
  afterAll(async () => {
    await Promise.all(Object.values(gateways).map((gateway) => gateway?.dispose()));
    await sandbox?.close();
    await redis?.stop();
  });

  it('each submission ends with its result or SERVICE_UNAVAILABLE (retry UPLOAD), none reaches Oz twice, all succeed once Redis is back', async () => {
    const summary = await runStoreOutage({
      gateways,
      sandbox,
      what: 'redis-server',
      stop: () => redis.stop(),
      restart: () => redis.restart(),
    });
    console.info(`[reliability] store outage: ${summary}`);
  });
});
