import type { Cluster, Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { RedisClient } from './redis-connection.js';

type CodedError = Error & { code?: string };

/** What may be logged of an error: never its message, which can name an address. */
const errorFields = (error: CodedError) => ({ err: { name: error.name, code: error.code } });

/**
 * Logs the first connection, then connection loss once per outage and recovery once (ioredis
 * emits an error per reconnect attempt). For a Cluster the connection is the cluster as a whole
 * (lost when no node answers); a node that stops answering while the others serve is logged
 * once (`redis cluster node unreachable`, with its `host:port`) until its connection is back.
 * Never logs a URL or a password.
 */
export function watchRedis(redis: RedisClient, logger: Logger): void {
  let down = false;
  const lost = (error?: CodedError) => {
    if (down) return;
    down = true;
    logger.warn(error ? errorFields(error) : {}, 'redis connection lost');
  };
  redis.on('error', lost);
  // A closed connection is noticed at once (the first failed reconnect may come later, or never).
  redis.on('reconnecting', () => lost());
  redis.once('ready', () => {
    if (!down) logger.info('redis connection ready');
  });
  redis.on('ready', () => {
    if (!down) return;
    down = false;
    logger.info('redis connection restored');
  });
  if (redis.isCluster) watchClusterNodes(redis as Cluster, logger);
}

function watchClusterNodes(cluster: Cluster, logger: Logger): void {
  const unreachable = new Set<string>();
  cluster.on('node error', (error: CodedError, node: string) => {
    if (unreachable.has(node)) return;
    unreachable.add(node);
    logger.warn({ node, ...errorFields(error) }, 'redis cluster node unreachable');
  });
  // ioredis opens a new connection for a node that went away (on the next slot refresh or
  // command); the node is back once that connection is ready.
  cluster.on('+node', (connection: Redis) => {
    const node = `${connection.options.host}:${connection.options.port}`;
    connection.once('ready', () => {
      if (unreachable.delete(node)) logger.info({ node }, 'redis cluster node restored');
    });
  });
}
