import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, inject, it } from 'vitest';
import { type GatewayProcess, spawnGateway } from '../support/gateway-process.js';
import type { SandboxProcess } from './support/sandbox-process.js';
import { gatewayEnv, startReliabilitySandbox } from './support/stack.js';
import { runTwoInstanceLoad } from './support/two-instance-load.js';

describe('load: 500 × 1 MiB from 50 clients over two gateway processes sharing Redis', () => {
  let sandbox: SandboxProcess;
  let redis: Redis;
  const gateways: Record<'A' | 'B', GatewayProcess> = {} as Record<'A' | 'B', GatewayProcess>;

  beforeAll(async () => {
    // Oz's own limit (10 MiB) stays well above the 1 MiB capsules.
    sandbox = await startReliabilitySandbox();
    const env = gatewayEnv(sandbox, inject('redisUrl'));
    [gateways.A, gateways.B] = await Promise.all([spawnGateway(env), spawnGateway(env)]);
    redis = new Redis(inject('redisUrl'));
  });
  afterAll(async () => {
    redis?.disconnect();
    await Promise.all(Object.values(gateways).map((gateway) => gateway?.dispose()));
    await sandbox?.close();
  });

  it('exactly 500 upstream POSTs, 500 correct results, every retry answered from the store, none lost', async () => {
    const summary = await runTwoInstanceLoad({
      gateways,
      sandbox,
      stored: (ids) => redis.mget(ids.map((id) => `oz-liveness:tx:{${id}}`)),
    });
    console.info(`[reliability] load: ${summary}`);
  });
});
