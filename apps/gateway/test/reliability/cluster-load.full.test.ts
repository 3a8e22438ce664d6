import { startTestRedisCluster, type TestRedisCluster } from '@oz-liveness/sandbox/test-redis';
import { Cluster } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type GatewayProcess, spawnGateway } from '../support/gateway-process.js';
import type { SandboxProcess } from './support/sandbox-process.js';
import { gatewayEnv, startReliabilitySandbox } from './support/stack.js';
import { runTwoInstanceLoad } from './support/two-instance-load.js';

describe('load on a Redis Cluster: 500 × 1 MiB over two gateway processes, 3 masters', () => {
  let cluster: TestRedisCluster;
  let admin: Cluster;
  let sandbox: SandboxProcess;
  const gateways = {} as Record<'A' | 'B', GatewayProcess>;

  beforeAll(async () => {
    cluster = await startTestRedisCluster();
    sandbox = await startReliabilitySandbox();
    const env = gatewayEnv(sandbox, { REDIS_CLUSTER_NODES: cluster.nodesList });
    [gateways.A, gateways.B] = await Promise.all([spawnGateway(env), spawnGateway(env)]);
    // Readiness: each instance has the slot map before the load starts.
    await Promise.all(
      Object.values(gateways).map((g) =>
        g.line((l) => l.includes('redis connection ready'), 'redis connection ready', 15_000),
      ),
    );
    admin = new Cluster([{ host: '127.0.0.1', port: cluster.nodes[0]?.port as number }]);
  });
  afterAll(async () => {
    admin?.disconnect();
    await Promise.all(Object.values(gateways).map((gateway) => gateway?.dispose()));
    await sandbox?.close();
    await cluster?.stop();
  });

  it('exactly 500 upstream POSTs, none lost, every retry answered from the store on any master', async () => {
    expect(gateways.A.lines.join('\n')).toContain('"sharedState":"redis (cluster)"');
    const summary = await runTwoInstanceLoad({
      gateways,
      sandbox,
      stored: (ids) => Promise.all(ids.map((id) => admin.get(`oz-liveness:tx:{${id}}`))),
    });
    // The transactions' keys spread over all three masters.
    const perMaster = await Promise.all(admin.nodes('master').map((node) => node.dbsize()));
    expect(perMaster).toHaveLength(3);
    expect(perMaster.every((keys) => keys > 0)).toBe(true);
    const warnings = Object.values(gateways).flatMap((g) =>
      g.lines.filter((l) => /"level":(40|50|60)/.test(l)),
    );
    expect(warnings).toEqual([]);
    console.info(
      `[reliability] cluster load: ${summary}; keys per master ${JSON.stringify(perMaster)}`,
    );
  });
});
