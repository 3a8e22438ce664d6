import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pollUntil } from './poll-until.js';
import { type RedisReply, redisCommand } from './redis-command.js';
import { type RedisServerNode, startRedisServer } from './redis-server-process.js';

/**
 * A throwaway Redis behind Sentinel on loopback: one master, its replicas and the sentinels
 * watching them, all real processes (`redis-server`, and `redis-server --sentinel`, which is what
 * Debian's redis-sentinel runs).
 */
export interface TestRedisSentinel {
  /** The master's name the sentinels know: what `REDIS_SENTINEL_NAME` takes. */
  name: string;
  /** Every sentinel as `host:port,…`: what `REDIS_SENTINELS` takes. */
  sentinelsList: string;
  /** The data nodes: the first master, then its replicas. */
  servers: RedisServerNode[];
  sentinels: RedisServerNode[];
  /** The data node the sentinels name as master now. */
  master(): Promise<RedisServerNode>;
  /**
   * Waits until every running sentinel names a master other than `previous` and that node says
   * it is a master (`ROLE`); resolves with it. Rejects with what the sentinels said after
   * `timeoutMs` (default 30000).
   */
  waitForFailover(previous: RedisServerNode, timeoutMs?: number): Promise<RedisServerNode>;
  /** Stops every process and removes their files. */
  stop(): Promise<void>;
}

export interface TestRedisSentinelOptions {
  /** Default `oz-liveness`. */
  name?: string;
  /** Default 1. */
  replicas?: number;
  /** Default 3 (quorum 2). */
  sentinels?: number;
  /** How long a silent master takes to be seen down (`down-after-milliseconds`). Default 1000. */
  downAfterMs?: number;
}

/**
 * Starts the master, its replicas (linked, `master_link_status:up`) and the sentinels, and
 * resolves once every sentinel names the master, sees every replica and the other sentinels, and
 * `SENTINEL CKQUORUM` says a failover could be authorized. Anything started is stopped if the
 * start fails.
 */
export async function startTestRedisSentinel(
  options: TestRedisSentinelOptions = {},
): Promise<TestRedisSentinel> {
  const name = options.name ?? 'oz-liveness';
  const replicaCount = options.replicas ?? 1;
  const sentinelCount = options.sentinels ?? 3;
  const dir = await mkdtemp(join(tmpdir(), 'oz-redis-sentinel-'));
  const servers: RedisServerNode[] = [];
  const sentinels: RedisServerNode[] = [];
  const stop = async () => {
    await Promise.all([...sentinels, ...servers].map((node) => node.stop()));
    await rm(dir, { recursive: true, force: true });
  };
  const dataNode = (replicaOf?: number) =>
    startRedisServer({
      what: replicaOf ? 'redis-server (replica)' : 'redis-server (master)',
      args: ([port]) => [
        '--port',
        String(port),
        '--bind',
        '127.0.0.1',
        '--save',
        '',
        '--appendonly',
        'no',
        '--dir',
        dir,
        '--dbfilename',
        `dump-${port}.rdb`,
        '--repl-diskless-load',
        'on-empty-db',
        // Else the master waits 5 s for more replicas before the first sync.
        '--repl-diskless-sync-delay',
        '0',
        ...(replicaOf ? ['--replicaof', '127.0.0.1', String(replicaOf)] : []),
      ],
    });
  const sentinelsSay = async (args: string[]) =>
    Promise.all(
      sentinels.filter((s) => s.running).map((s) => redisCommand(s.port, ['SENTINEL', ...args])),
    );
  const master = async () => {
    const [answer] = await sentinelsSay(['GET-MASTER-ADDR-BY-NAME', name]);
    const port = Number((answer as string[] | null)?.[1]);
    const node = servers.find((s) => s.port === port);
    if (!node) throw new Error(`the sentinels name no known master: ${String(answer)}`);
    return node;
  };

  try {
    const first = await dataNode();
    servers.push(first);
    for (let i = 0; i < replicaCount; i += 1) servers.push(await dataNode(first.port));
    await pollUntil(
      async () => {
        for (const replica of servers.slice(1)) {
          const info = String(await redisCommand(replica.port, ['INFO', 'replication']));
          if (!info.includes('master_link_status:up')) return `replica ${replica.port} not linked`;
        }
        return true;
      },
      'replicas linked to the master',
      20_000,
    );

    const quorum = Math.floor(sentinelCount / 2) + 1;
    // Started together: they find each other through the master every 2 s anyway.
    const started = await Promise.allSettled(
      Array.from({ length: sentinelCount }, () =>
        startRedisServer({
          what: 'sentinel',
          readyText: '+monitor master',
          async args([port]) {
            // Each sentinel rewrites its own file (what it learnt, its id).
            const file = join(dir, `sentinel-${port}.conf`);
            await writeFile(
              file,
              [
                `port ${port}`,
                'bind 127.0.0.1',
                `dir ${dir}`,
                `sentinel monitor ${name} 127.0.0.1 ${first.port} ${quorum}`,
                `sentinel down-after-milliseconds ${name} ${options.downAfterMs ?? 1_000}`,
                `sentinel failover-timeout ${name} 10000`,
                `sentinel parallel-syncs ${name} 1`,
                '',
              ].join('\n'),
            );
            return [file, '--sentinel'];
          },
        }),
      ),
    );
    for (const outcome of started) {
      if (outcome.status === 'fulfilled') sentinels.push(outcome.value);
    }
    const failed = started.find((outcome) => outcome.status === 'rejected');
    if (failed) throw failed.reason;
    await pollUntil(
      async () => {
        for (const sentinel of sentinels) {
          const ask = (...args: string[]) => redisCommand(sentinel.port, ['SENTINEL', ...args]);
          const addr = (await ask('GET-MASTER-ADDR-BY-NAME', name)) as string[] | null;
          if (Number(addr?.[1]) !== first.port) return `${sentinel.port} names ${String(addr)}`;
          const replicas = fields(await ask('REPLICAS', name));
          if (replicas.filter((r) => r.flags === 'slave').length !== replicaCount) {
            return `${sentinel.port} sees replicas ${JSON.stringify(replicas.map((r) => r.flags))}`;
          }
          const peers = fields(await ask('SENTINELS', name));
          if (peers.length !== sentinelCount - 1) {
            return `${sentinel.port} knows ${peers.length} other sentinels`;
          }
          const ckquorum = await ask('CKQUORUM', name);
          if (ckquorum instanceof Error) return `${sentinel.port}: ${ckquorum.message}`;
        }
        return true;
      },
      'sentinels watching the master, its replicas and each other',
      30_000,
    );
  } catch (error) {
    await stop();
    throw error;
  }

  return {
    name,
    sentinelsList: sentinels.map((s) => `${s.host}:${s.port}`).join(','),
    servers,
    sentinels,
    master,
    async waitForFailover(previous, timeoutMs = 30_000) {
      let promoted: RedisServerNode | undefined;
      await pollUntil(
        async () => {
          const answers = await sentinelsSay(['GET-MASTER-ADDR-BY-NAME', name]);
          const ports = new Set(answers.map((a) => Number((a as string[] | null)?.[1])));
          const [port] = ports;
          if (ports.size !== 1 || port === previous.port) {
            return `sentinels name ${JSON.stringify([...ports])}`;
          }
          const node = servers.find((s) => s.port === port);
          if (!node) return `sentinels name an unknown node ${port}`;
          const role = (await redisCommand(node.port, ['ROLE'])) as string[];
          if (role[0] !== 'master') return `${port} is still ${role[0]}`;
          promoted = node;
          return true;
        },
        `failover away from ${previous.port}`,
        timeoutMs,
      );
      return promoted as RedisServerNode;
    },
    stop,
  };
}

/** SENTINEL REPLICAS / SENTINELS answer a list of flat key-value lists. */
function fields(reply: RedisReply): Array<Record<string, string>> {
  if (!Array.isArray(reply)) return [];
  return reply.map((entry) => {
    const record: Record<string, string> = {};
    const list = Array.isArray(entry) ? entry : [];
    for (let i = 0; i + 1 < list.length; i += 2) record[String(list[i])] = String(list[i + 1]);
    return record;
  });
}
