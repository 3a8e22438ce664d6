import type { RedisClient, RedisNodeAddress } from './redis-connection.js';

/**
 * An ioredis client (Redis or Cluster), also one from another copy of ioredis than the
 * gateway's own, where `instanceof` would say no.
 */
export function isRedisClient(value: unknown): value is RedisClient {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as Partial<RedisClient>).defineCommand === 'function' &&
    typeof (value as Partial<RedisClient>).sendCommand === 'function'
  );
}

/**
 * What is wrong with a `redis` option, one message per bad value, each naming the field. Values
 * are never repeated: a URL or a password may be among them.
 */
export function redisOptionProblems(value: unknown): string[] {
  if (isRedisClient(value)) return [];
  if (typeof value === 'string') {
    return isRedisUrl(value) ? [] : ['redis must be a redis:// or rediss:// URL'];
  }
  if (typeof value !== 'object' || value === null) {
    return [
      'redis must be a redis:// URL, { sentinels, name }, { clusterNodes } or an ioredis client',
    ];
  }
  const config = value as Record<string, unknown>;
  const problems: string[] = [];
  const sentinel = 'sentinels' in config;
  const cluster = 'clusterNodes' in config;
  if (sentinel && cluster) {
    return ['redis: give either sentinels (with name) or clusterNodes, not both'];
  }
  if (!sentinel && !cluster) {
    return [
      'redis must be a redis:// URL, { sentinels, name }, { clusterNodes } or an ioredis client',
    ];
  }
  const field = sentinel ? 'sentinels' : 'clusterNodes';
  problems.push(...addressProblems(`redis.${field}`, config[field]));
  if (sentinel && (typeof config.name !== 'string' || !config.name.trim())) {
    problems.push("redis.name must be the master's name the sentinels know");
  }
  if (!sentinel && 'name' in config) problems.push('redis.name only goes with sentinels');
  for (const key of ['username', 'password', ...(sentinel ? ['sentinelPassword'] : [])]) {
    if (config[key] !== undefined && (typeof config[key] !== 'string' || !config[key])) {
      problems.push(`redis.${key} must be a non-empty string`);
    }
  }
  if (config.tls !== undefined && typeof config.tls !== 'boolean') {
    problems.push('redis.tls must be true or false');
  }
  return problems;
}

function addressProblems(name: string, list: unknown): string[] {
  if (!Array.isArray(list) || list.length === 0) {
    return [`${name} must list at least one { host, port }`];
  }
  const problems: string[] = [];
  list.forEach((entry: Partial<RedisNodeAddress> | null, i) => {
    if (typeof entry?.host !== 'string' || !entry.host.trim()) {
      problems.push(`${name}[${i}].host must be a host name or IP address`);
    }
    const port = entry?.port;
    if (!Number.isInteger(port) || (port as number) < 1 || (port as number) > 65_535) {
      problems.push(`${name}[${i}].port must be an integer between 1 and 65535`);
    }
  });
  return problems;
}

function isRedisUrl(value: string): boolean {
  try {
    return ['redis:', 'rediss:'].includes(new URL(value).protocol);
  } catch {
    return false;
  }
}
