import { startTestRedisCluster, type TestRedisCluster } from '@oz-liveness/sandbox/test-redis';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { type GatewayProcess, spawnGateway } from '../support/gateway-process.js';
import type { SandboxProcess } from './support/sandbox-process.js';
import { gatewayEnv, startReliabilitySandbox } from './support/stack.js';
import { runStoreOutage } from './support/store-outage-scenario.js';

describe('store outage on a Redis Cluster: all 3 masters stopped and restarted mid-load', () => {
  let cluster: TestRedisCluster;
  let sandbox: SandboxProcess;
  const gateways = {} as Record<'A' | 'B', GatewayProcess>;

  beforeAll(async () => {
    cluster = await startTestRedisCluster();
    sandbox = await startReliabilitySandbox();
    const env = gatewayEnv(sandbox, { REDIS_CLUSTER_NODES: cluster.nodesList });
    [gateways.A, gateways.B] = await Promise.all([spawnGateway(env), spawnGateway(env)]);
    await Promise.all(
      Object.values(gateways).map((g) =>
        g.line((l) => l.includes('redis connection ready'), 'redis connection ready', 15_000),
      ),
    );
  });
  afterAll(async () => {
    await Promise.all(Object.values(gateways).map((gateway) => gateway?.dispose()));
    await sandbox?.close();
    await cluster?.stop();
  });

  it('each submission ends with its result or SERVICE_UNAVAILABLE (retry UPLOAD), none reaches Oz twice, all succeed once the cluster is back', async () => {
    const summary = await runStoreOutage({
      gateways,
      sandbox,
      what: 'the 3 cluster nodes',
      stop: async () => {
        await Promise.all(cluster.nodes.map((node) => node.stop()));
      },
      // The nodes rejoin from their nodes.conf; the gateways find the cluster by themselves.
      restart: async () => {
        await Promise.all(cluster.nodes.map((node) => node.restart()));
      },
    });
    console.info(`[reliability] cluster store outage: ${summary}`);
  });
});
