import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type GatewayProcess, spawnGateway } from '../support/gateway-process.js';
import { containerFor, sessionToken, submitCapsule } from './support/graphql-client.js';
import type { SandboxProcess } from './support/sandbox-process.js';
import { capsulePosts, gatewayEnv, startReliabilitySandbox } from './support/stack.js';

const CAPSULE_BYTES = 256 * 1024;
/** The gateway's renewed idempotency lease (`RENEWED_LEASE_MS` in @oz-liveness/gateway). */
const LEASE_MS = 15_000;
/** What the lease was before it was renewed: 2 × OZ_TIMEOUT_MS (60 s) + 5 s. */
const OLD_LEASE_MS = 125_000;
/** Oz holds A's POST this long, far beyond the moment A dies. */
const STUCK_POST_MS = 90_000;

describe('SIGKILL the instance holding a submission', () => {
  let sandbox: SandboxProcess;
  let redis: Redis;
  const gateways = {} as Record<'A' | 'B', GatewayProcess>;

  beforeAll(async () => {
    sandbox = await startReliabilitySandbox();
    redis = new Redis(inject('redisUrl'));
    const env = gatewayEnv(sandbox, inject('redisUrl'));
    [gateways.A, gateways.B] = await Promise.all([spawnGateway(env), spawnGateway(env)]);
  });
  afterAll(async () => {
    await Promise.all(Object.values(gateways).map((gateway) => gateway?.dispose()));
    redis?.disconnect();
    await sandbox?.close();
  });

  it('the retry on the other instance takes over within the short lease', async () => {
    const token = await sessionToken(gateways.A.graphqlUrl);
    const { transactionId } = token;
    const capsule = await containerFor(token, { size: CAPSULE_BYTES });
    const key = `oz-liveness:tx:${transactionId}`;
    // Only A's POST is held: the sandbox sleeps before it looks at the capsule, so A's request
    // has not spent the session token when A dies, and B's later POST is answered at once.
    await sandbox.control.injectFault({
      kind: 'latency',
      ms: STUCK_POST_MS,
      count: 1,
      path: '/api/instant/folders/',
    });

    const onA = submitCapsule(gateways.A.graphqlUrl, capsule, transactionId).catch(
      (error: unknown) => error,
    );
    // Wait until Oz has A's whole capsule (so the fault was taken by A's POST, not B's).
    for (;;) {
      const posts = capsulePosts(await sandbox.control.requests());
      if (posts[0]?.bodyLength === CAPSULE_BYTES) break;
      await sleep(20);
    }
    // A holds a short lease and keeps renewing it: after more than one lease it is still A's.
    await sleep(LEASE_MS / 3 + 1_000);
    const leaseTtl = await redis.pttl(key);
    expect(JSON.parse((await redis.get(key)) ?? '{}')).toHaveProperty('lease');
    expect(leaseTtl).toBeGreaterThan(0);
    expect(leaseTtl).toBeLessThanOrEqual(LEASE_MS);

    gateways.A.child.kill('SIGKILL');
    const killedAt = performance.now();
    expect(await gateways.A.exited).toEqual({ code: null, signal: 'SIGKILL' });
    expect(await onA).toBeInstanceOf(Error);

    // The user's retry (same capsule, same transactionId) lands on B: it waits on A's lease,
    // which nobody renews any more, then claims the transaction and sends the capsule itself.
    const retry = await submitCapsule(gateways.B.graphqlUrl, capsule, transactionId);
    const takeoverMs = performance.now() - killedAt;
    expect(retry.text).toContain('"decision":"ACCEPT"');
    expect(retry.data).toMatchObject({ transactionId, decision: 'ACCEPT' });
    // One lease after A's last renewal, plus B's poll and its own POST (slack for a busy CI).
    expect(takeoverMs).toBeLessThan(LEASE_MS + 5_000);

    // Two POSTs, both expected: A's, which Oz received but had not processed when A died (its
    // answer would have gone nowhere), and B's after A's lease ran out. A lease cannot tell
    // whether a dead holder's POST landed; in instant mode Oz's single-use session token makes
    // the second one harmless (had A's been processed, B's would be refused with code 14).
    const posts = capsulePosts(await sandbox.control.requests());
    expect(posts).toHaveLength(2);
    expect(new Set(posts.map((p) => p.bodySha256)).size).toBe(1);

    // Every later retry gets B's stored result, with no further POST.
    const again = await submitCapsule(gateways.B.graphqlUrl, capsule, transactionId);
    expect(again.data).toEqual(retry.data);
    expect(capsulePosts(await sandbox.control.requests())).toHaveLength(2);
    expect(JSON.parse((await redis.get(key)) ?? '{}').result).toEqual(retry.data);

    console.info(
      `[reliability] SIGKILL of the lease holder: the retry on B answered ${(takeoverMs / 1000).toFixed(1)} s ` +
        `after the kill (lease ${LEASE_MS / 1000} s, was ${OLD_LEASE_MS / 1000} s); upstream POSTs 2`,
    );
  });
});
