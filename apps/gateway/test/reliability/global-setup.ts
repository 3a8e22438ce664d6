import { startTestRedis } from '@oz-liveness/sandbox/test-redis';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The suite's one real redis-server, shared by every gateway instance the files start. */
    redisUrl: string;
  }
}

/** Starts one redis-server for the whole reliability suite and stops it afterwards. */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const redis = await startTestRedis();
  project.provide('redisUrl', redis.url);
  return () => redis.stop();
}
