import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pollUntil } from './poll-until.js';
import { redisCommand } from './redis-command.js';
import { type RedisServerNode, startRedisServer } from './redis-server-process.js';
import { killOnExit } from './test-processes.js';

/** A throwaway Redis Cluster of real `redis-server`s on loopback (masters only, no persistence). */
export interface TestRedisCluster {
  /** Every node as `host:port,…`: what `REDIS_CLUSTER_NODES` takes. */
  nodesList: string;
  /** The masters, each owning a third (for 3) of the 16384 slots. */
  nodes: RedisServerNode[];
  /**
   * Waits until every running node says `cluster_state:ok` with all slots covered and every node
   * known, e.g. after a node was restarted (it rejoins from its `nodes.conf`).
   */
  waitUntilOk(timeoutMs?: number): Promise<void>;
  /** Stops every node and removes their files. */
  stop(): Promise<void>;
}

export interface TestRedisClusterOptions {
  /** Masters. Default 3 (the fewest `redis-cli --cluster create` accepts). */
  masters?: number;
  /** `cluster-node-timeout`: how long a silent node takes to be marked failed, ms. Default 2000. */
  nodeTimeoutMs?: number;
}

const SLOTS = 16_384;

/**
 * Starts `masters` redis-servers with `--cluster-enabled yes` on free ports (each with its own
 * free cluster-bus port), joins them with `redis-cli --cluster create` (`REDIS_CLI_PATH` or
 * `redis-cli`, from Debian's redis-tools, installed with redis-server), and resolves once every
 * node reports the cluster ok. Anything started is stopped if the start fails.
 */
export async function startTestRedisCluster(
  options: TestRedisClusterOptions = {},
): Promise<TestRedisCluster> {
  const masters = options.masters ?? 3;
  const dir = await mkdtemp(join(tmpdir(), 'oz-redis-cluster-'));
  const nodes: RedisServerNode[] = [];
  const stop = async () => {
    await Promise.all(nodes.map((node) => node.stop()));
    await rm(dir, { recursive: true, force: true });
  };
  const waitUntilOk = (timeoutMs = 20_000) =>
    pollUntil(
      async () => {
        for (const node of nodes.filter((n) => n.running)) {
          const info = String(await redisCommand(node.port, ['CLUSTER', 'INFO']));
          const field = (name: string) => new RegExp(`^${name}:(\\S+)`, 'm').exec(info)?.[1];
          if (
            field('cluster_state') !== 'ok' ||
            field('cluster_slots_ok') !== String(SLOTS) ||
            field('cluster_known_nodes') !== String(masters)
          ) {
            return `node ${node.port}: ${info.replace(/\r\n/g, ' ')}`;
          }
        }
        return true;
      },
      'redis cluster ok on every node',
      timeoutMs,
    );
  try {
    for (let i = 0; i < masters; i += 1) {
      nodes.push(
        await startRedisServer({
          what: 'redis-server (cluster node)',
          ports: 2,
          args: ([port, busPort]) => [
            '--port',
            String(port),
            '--cluster-port',
            String(busPort),
            '--bind',
            '127.0.0.1',
            '--save',
            '',
            '--appendonly',
            'no',
            '--dir',
            dir,
            '--cluster-enabled',
            'yes',
            '--cluster-config-file',
            join(dir, `nodes-${port}.conf`),
            '--cluster-node-timeout',
            String(options.nodeTimeoutMs ?? 2_000),
          ],
        }),
      );
    }
    const addresses = nodes.map((node) => `${node.host}:${node.port}`);
    await redisCli([
      '--cluster',
      'create',
      ...addresses,
      '--cluster-replicas',
      '0',
      '--cluster-yes',
    ]);
    await waitUntilOk();
    return { nodesList: addresses.join(','), nodes, waitUntilOk, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** Runs redis-cli to its end; rejects with its output when it fails or takes over 30 s. */
function redisCli(args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    killOnExit(
      execFile(
        process.env.REDIS_CLI_PATH ?? 'redis-cli',
        args,
        { timeout: 30_000 },
        (error, stdout, stderr) => {
          if (error) reject(new Error(`redis-cli ${args.join(' ')} failed:\n${stdout}${stderr}`));
          else resolve(stdout);
        },
      ),
    );
  });
}
