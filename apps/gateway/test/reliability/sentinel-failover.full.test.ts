import { createHash } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { verifyReceipt } from '@oz-liveness/gateway/receipt';
import { startTestRedisSentinel, type TestRedisSentinel } from '@oz-liveness/sandbox/test-redis';
import { Agent } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type GatewayProcess, spawnGateway } from '../support/gateway-process.js';
import {
  type Answer,
  containerFor,
  type LivenessResult,
  querySessionToken,
  randomBytes,
  submitCapsule,
} from './support/graphql-client.js';
import { percentile, probeSessionTokens, until } from './support/probes.js';
import type { SandboxProcess } from './support/sandbox-process.js';
import {
  capsulePosts,
  gatewayEnv,
  RECEIPT_SECRET,
  startReliabilitySandbox,
} from './support/stack.js';

const CLIENTS = 20;
/** Clients 0..6 also send each capsule to the other instance at once, as after a lost answer. */
const RACING_CLIENTS = 7;
const CAPSULE_BYTES = 64 * 1024;
/** The master is killed once this many submissions have their result. */
const KILL_AFTER = 30;
/** Oz takes this long per capsule, so some submissions are at Oz when the master dies. */
const OZ_LATENCY_MS = 300;
/** After both instances are back, each client still completes this many new submissions. */
const AFTER_RECOVERY = 2;

type Instance = 'A' | 'B';

interface Attempt {
  instance: Instance;
  startedAt: number;
  answeredAt: number;
  answer: Answer<LivenessResult>;
}

/** One sender of a capsule: retries `UPLOAD` answers as the element does, until another answer. */
interface Stream {
  attempts: Attempt[];
  final?: Answer<LivenessResult>;
}

interface Submission {
  client: number;
  transactionId: string;
  sha256: string;
  startedAt: number;
  streams: Stream[];
}

describe('Sentinel: the Redis master killed in the middle of a load (1 master, 1 replica, 3 sentinels)', () => {
  let redis: TestRedisSentinel;
  let sandbox: SandboxProcess;
  const gateways = {} as Record<Instance, GatewayProcess>;

  beforeAll(async () => {
    redis = await startTestRedisSentinel();
    sandbox = await startReliabilitySandbox();
    const env = gatewayEnv(sandbox, {
      REDIS_SENTINELS: redis.sentinelsList,
      REDIS_SENTINEL_NAME: redis.name,
    });
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
    await redis?.stop();
  });

  it('submissions continue after the failover; each ends ACCEPT, a duplicate only where a lease was lost', async () => {
    expect(gateways.A.lines.join('\n')).toContain('"sharedState":"redis (sentinel)"');
    await sandbox.control.injectFault({
      kind: 'latency',
      ms: OZ_LATENCY_MS,
      count: 100_000,
      path: '/api/instant/folders/',
    });
    const agent = new Agent({ connections: CLIENTS * 3 });
    const clip = randomBytes(CAPSULE_BYTES);
    const submissions: Submission[] = [];
    const unexpected: string[] = [];
    let accepted = 0;
    let recoveredAt = Number.POSITIVE_INFINITY;

    const send = async (stream: Stream, first: Instance, capsule: Uint8Array, tid: string) => {
      for (let n = 0; ; n += 1) {
        const instance: Instance = n % 2 === 0 ? first : first === 'A' ? 'B' : 'A';
        const startedAt = performance.now();
        const answer = await submitCapsule(gateways[instance].graphqlUrl, capsule, tid, {
          dispatcher: agent,
        });
        stream.attempts.push({ instance, startedAt, answeredAt: performance.now(), answer });
        const extensions = answer.error?.extensions;
        if (extensions?.code === 'SERVICE_UNAVAILABLE' && extensions.retry === 'UPLOAD') {
          await sleep(Number(extensions.retryAfterSeconds) * 1000);
          continue;
        }
        stream.final = answer;
        return;
      }
    };

    const client = async (index: number) => {
      const primary: Instance = index % 2 === 0 ? 'A' : 'B';
      const other: Instance = primary === 'A' ? 'B' : 'A';
      let doneAfterRecovery = 0;
      while (doneAfterRecovery < AFTER_RECOVERY) {
        const token = await querySessionToken(gateways[primary].graphqlUrl, agent);
        if (!token.data) {
          unexpected.push(`sessionToken: ${token.status} ${token.text}`);
          return;
        }
        const capsule = await containerFor(token.data, { size: CAPSULE_BYTES, clip });
        const submission: Submission = {
          client: index,
          transactionId: token.data.transactionId,
          sha256: createHash('sha256').update(capsule).digest('hex'),
          startedAt: performance.now(),
          streams: [{ attempts: [] }],
        };
        submissions.push(submission);
        const tid = submission.transactionId;
        const sending = [send(submission.streams[0] as Stream, primary, capsule, tid)];
        if (index < RACING_CLIENTS) {
          const racing: Stream = { attempts: [] };
          submission.streams.push(racing);
          sending.push(
            sleep(Math.floor(Math.random() * 50)).then(() => send(racing, other, capsule, tid)),
          );
        }
        await Promise.all(sending);
        if (submission.streams.some((s) => s.final?.data)) accepted += 1;
        if (submission.startedAt > recoveredAt) doneAfterRecovery += 1;
      }
    };

    const probes = [
      probeSessionTokens(gateways.A.graphqlUrl, 1),
      probeSessionTokens(gateways.B.graphqlUrl, 1),
    ];
    const load = Promise.all(Array.from({ length: CLIENTS }, (_, i) => client(i)));
    load.catch(() => {}); // awaited below; a failure must not go unhandled while the test waits

    await until(() => accepted >= KILL_AFTER, `${KILL_AFTER} results`, 60_000);
    const oldMaster = await redis.master();
    const inFlightAtKill = submissions.filter((s) => s.streams.some((st) => !st.final)).length;
    const killedAt = performance.now();
    const killedAtMs = Date.now();
    await oldMaster.kill();
    await redis.waitForFailover(oldMaster, 30_000);
    const failoverMs = performance.now() - killedAt;
    // Both instances reconnect to the new master by themselves (ioredis asks the sentinels).
    const restoredAtMs = await Promise.all(
      Object.values(gateways).map(async (g) => {
        const line = await g.line(
          (l) => l.includes('redis connection restored'),
          'redis connection restored',
          30_000,
        );
        return (JSON.parse(line) as { time: number }).time;
      }),
    );
    recoveredAt = performance.now();
    await load;
    const loadEnded = performance.now();
    await agent.close();
    await Promise.all(probes.map((p) => p.stop()));

    // Every stream ended with a result or, only where the transaction's lease was lost and Oz
    // saw the capsule twice, with Oz's refusal of the spent session token (instant mode).
    expect(unexpected).toEqual([]);
    const posts = capsulePosts(await sandbox.control.requests());
    const postsOf = new Map<string, number>();
    for (const post of posts) postsOf.set(post.bodySha256, (postsOf.get(post.bodySha256) ?? 0) + 1);
    const duplicated = submissions.filter((s) => (postsOf.get(s.sha256) ?? 0) > 1);
    for (const s of submissions) {
      const finals = s.streams.map((st) => st.final);
      const results = finals.filter((f) => f?.data).map((f) => f?.data);
      expect(results.length, s.transactionId).toBeGreaterThan(0);
      // Whichever stream answered with a result, it is the transaction's one result.
      for (const result of results) expect(result).toEqual(results[0]);
      const claims = await verifyReceipt(results[0]?.receipt ?? '', RECEIPT_SECRET);
      expect(claims.tid).toBe(s.transactionId);
      expect(postsOf.get(s.sha256) ?? 0).toBeGreaterThanOrEqual(1);
      expect(postsOf.get(s.sha256) ?? 0).toBeLessThanOrEqual(s.streams.length);
      for (const final of finals) {
        if (final?.data) continue;
        expect(duplicated).toContain(s);
        expect(final?.error?.extensions).toMatchObject({
          code: 'CAPSULE_REJECTED',
          retry: 'CAPTURE',
          ozErrorCode: 14,
        });
      }
    }
    // A sequential sender (no racing copy) never causes a second POST.
    expect(duplicated.filter((s) => s.streams.length === 1)).toEqual([]);
    // Every refusal on the way was the retryable one.
    const attempts = submissions.flatMap((s) => s.streams.flatMap((st) => st.attempts));
    const refusals = attempts.filter(
      (a) => a.answer.error?.extensions?.code === 'SERVICE_UNAVAILABLE',
    );
    for (const { answer } of refusals) {
      expect(answer.status).toBe(503);
      expect(answer.error?.extensions).toMatchObject({ retry: 'UPLOAD', retryAfterSeconds: 2 });
    }
    // Session tokens never failed (counted in memory while Redis was away).
    expect(probes.flatMap((p) => p.failures)).toEqual([]);

    // The gap: from the kill to the first attempt begun after it that got its result.
    const firstAfter = attempts
      .filter((a) => a.startedAt > killedAt && a.answer.data)
      .sort((x, y) => x.answeredAt - y.answeredAt)[0];
    expect(firstAfter).toBeDefined();
    const gapMs = (firstAfter?.answeredAt ?? 0) - killedAt;
    const afterRecovery = submissions.filter((s) => s.startedAt > recoveredAt);
    expect(afterRecovery.length).toBeGreaterThanOrEqual(CLIENTS * AFTER_RECOVERY);
    expect(afterRecovery.every((s) => s.streams.every((st) => st.final?.data))).toBe(true);
    const unstored = Object.values(gateways).flatMap((g) =>
      g.lines.filter((l) => l.includes('result not stored')),
    ).length;
    const storedLate = Object.values(gateways).flatMap((g) =>
      g.lines.filter((l) => l.includes('result stored once the store was back')),
    ).length;
    const leasesLost = Object.values(gateways).flatMap((g) =>
      g.lines.filter((l) => l.includes('idempotency lease lost')),
    ).length;
    const waits = refusals.map((a) => a.answeredAt - a.startedAt);
    console.info(
      `[reliability] sentinel failover: ${submissions.length} submissions from ${CLIENTS} clients ` +
        `(${RACING_CLIENTS} racing a copy on the other instance) over two instances; master ` +
        `killed after ${KILL_AFTER} results with ${inFlightAtKill} in flight; sentinels promoted ` +
        `the replica ${(failoverMs / 1000).toFixed(1)} s after the kill; instances reconnected ` +
        `${restoredAtMs.map((t) => `${((t - killedAtMs) / 1000).toFixed(1)} s`).join(' and ')} ` +
        `after it; gap (kill → first result of an attempt begun after it) ` +
        `${(gapMs / 1000).toFixed(1)} s; ${refusals.length} attempts answered SERVICE_UNAVAILABLE ` +
        `(p50 ${percentile(waits, 50).toFixed(0)} ms, max ${Math.max(0, ...waits).toFixed(0)} ms); ` +
        `${unstored} results answered unstored (${storedLate} stored once Redis was back), ` +
        `${leasesLost} leases lost while submitting; upstream POSTs ` +
        `${posts.length} for ${submissions.length} transactions, ${duplicated.length} sent twice ` +
        `(second refused by Oz, code 14); ${afterRecovery.length} submissions after recovery, all ` +
        `ACCEPT; load ended ${((loadEnded - recoveredAt) / 1000).toFixed(1)} s after recovery`,
    );
  });
});
