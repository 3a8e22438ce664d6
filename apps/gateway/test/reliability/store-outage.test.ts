import { createHash } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { verifyReceipt } from '@oz-liveness/gateway/receipt';
import { startTestRedis, type TestRedis } from '@oz-liveness/sandbox/test-redis';
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
const PER_CLIENT = 4;
const SUBMISSIONS = CLIENTS * PER_CLIENT;
const CAPSULE_BYTES = 64 * 1024;
/** Redis goes away once this many submissions have their result. */
const STOP_AFTER = 20;
/** Oz takes this long per capsule, so some submissions are at Oz when Redis goes. */
const OZ_LATENCY_MS = 300;

interface Attempt {
  instance: 'A' | 'B';
  startedAt: number;
  ms: number;
  answer: Answer<LivenessResult>;
}

interface Submission {
  transactionId: string;
  sha256: string;
  attempts: Attempt[];
  result?: LivenessResult;
}

interface TokenAnswer {
  at: number;
  ms: number;
  ok: boolean;
  text: string;
}

describe('store outage: redis-server stopped and restarted in the middle of a load', () => {
  let redis: TestRedis;
  let sandbox: SandboxProcess;
  const gateways = {} as Record<'A' | 'B', GatewayProcess>;

  beforeAll(async () => {
    // Its own redis-server: stopping it must not touch the suite's shared one.
    redis = await startTestRedis();
    sandbox = await startReliabilitySandbox();
    const env = gatewayEnv(sandbox, redis.url);
    [gateways.A, gateways.B] = await Promise.all([spawnGateway(env), spawnGateway(env)]);
  });
  afterAll(async () => {
    await Promise.all(Object.values(gateways).map((gateway) => gateway?.dispose()));
    await sandbox?.close();
    await redis?.stop();
  });

  it('each submission ends with its result or SERVICE_UNAVAILABLE (retry UPLOAD), none reaches Oz twice, all succeed once Redis is back', async () => {
    await sandbox.control.injectFault({
      kind: 'latency',
      ms: OZ_LATENCY_MS,
      count: 10_000,
      path: '/api/instant/folders/',
    });
    const agent = new Agent({ connections: CLIENTS * 2 });
    const clip = randomBytes(CAPSULE_BYTES);
    const submissions: Submission[] = [];
    const tokens: TokenAnswer[] = [];
    const unexpected: string[] = [];
    let succeeded = 0;

    const client = async (index: number) => {
      const primary = index % 2 === 0 ? 'A' : 'B';
      for (let n = 0; n < PER_CLIENT; n += 1) {
        const tokenStarted = performance.now();
        const token = await querySessionToken(gateways[primary].graphqlUrl, agent);
        tokens.push({
          at: tokenStarted,
          ms: performance.now() - tokenStarted,
          ok: Boolean(token.data),
          text: token.text,
        });
        if (!token.data) continue;
        const capsule = await containerFor(token.data, { size: CAPSULE_BYTES, clip });
        const submission: Submission = {
          transactionId: token.data.transactionId,
          sha256: createHash('sha256').update(capsule).digest('hex'),
          attempts: [],
        };
        submissions.push(submission);
        // As the element does on retry UPLOAD: the same capsule and transactionId, after the
        // wait the gateway asked for; every other attempt on the other instance.
        for (let attempt = 0; !submission.result; attempt += 1) {
          const instance = attempt % 2 === 0 ? primary : primary === 'A' ? 'B' : 'A';
          const startedAt = performance.now();
          const answer = await submitCapsule(
            gateways[instance].graphqlUrl,
            capsule,
            submission.transactionId,
            { dispatcher: agent },
          );
          submission.attempts.push({
            instance,
            startedAt,
            ms: performance.now() - startedAt,
            answer,
          });
          if (answer.data) {
            submission.result = answer.data;
            succeeded += 1;
            continue;
          }
          const extensions = answer.error?.extensions;
          if (extensions?.code !== 'SERVICE_UNAVAILABLE' || extensions.retry !== 'UPLOAD') {
            unexpected.push(`${answer.status} ${answer.text}`);
            return;
          }
          await sleep(Number(extensions.retryAfterSeconds) * 1000);
        }
      }
    };

    // People starting a check meanwhile, on each instance.
    const probes = [
      probeSessionTokens(gateways.A.graphqlUrl, 1),
      probeSessionTokens(gateways.B.graphqlUrl, 1),
    ];
    const load = Promise.all(Array.from({ length: CLIENTS }, (_, i) => client(i)));
    load.catch(() => {}); // awaited below; a failure must not go unhandled while the test waits

    await until(() => succeeded >= STOP_AFTER, `${STOP_AFTER} results`, 60_000);
    const stoppedAt = performance.now();
    await redis.stop();
    // The outage lasts until every client has been refused twice (so has waited out a
    // Retry-After), and both instances have issued session tokens meanwhile.
    const refusedTwice = () =>
      submissions.filter(
        (s) => s.attempts.filter((a) => a.startedAt > stoppedAt && !a.answer.data).length >= 2,
      ).length;
    await until(
      () =>
        refusedTwice() === CLIENTS &&
        probes.every((p) => p.answeredAt.filter((at) => at > stoppedAt).length >= 5),
      'every client refused twice, session tokens issued',
      30_000,
    );
    const restartAt = Date.now();
    await redis.restart();
    const restartedAt = performance.now();
    const redisReadyMs = Date.now() - restartAt;
    await load;
    const allDoneSeconds = (performance.now() - restartedAt) / 1000;
    await agent.close();
    await Promise.all(probes.map((p) => p.stop()));

    // Every answer was a result or the retryable refusal; every submission got its result.
    expect(unexpected).toEqual([]);
    expect(submissions).toHaveLength(SUBMISSIONS);
    expect(submissions.every((s) => s.result?.decision === 'ACCEPT')).toBe(true);
    const refusals = submissions.flatMap((s) => s.attempts).filter((a) => !a.answer.data);
    for (const { answer } of refusals) {
      expect(answer.status).toBe(503);
      expect(answer.error?.extensions).toMatchObject({
        code: 'SERVICE_UNAVAILABLE',
        retry: 'UPLOAD',
        retryAfterSeconds: 2,
      });
    }
    for (const s of submissions) {
      const claims = await verifyReceipt(s.result?.receipt ?? '', RECEIPT_SECRET);
      expect(claims.tid).toBe(s.transactionId);
    }

    // Session tokens never failed, also while Redis was away (counted in memory).
    expect(tokens.filter((t) => !t.ok).map((t) => t.text)).toEqual([]);
    expect(probes.flatMap((p) => p.failures)).toEqual([]);
    const outageTokens = probes.flatMap((p) =>
      p.answeredAt.flatMap((at, i) =>
        at - (p.latencies[i] ?? 0) > stoppedAt && at < restartedAt ? [p.latencies[i] ?? 0] : [],
      ),
    );

    // Exactly one POST to Oz per transaction: a refused attempt never reached it.
    const posts = capsulePosts(await sandbox.control.requests());
    expect(posts.map((p) => p.bodySha256).sort()).toEqual(submissions.map((s) => s.sha256).sort());

    // Both instances noticed the loss and came back by themselves.
    const restoredAt = Object.values(gateways).map((gateway) => {
      const line = gateway.lines.find((l) => l.includes('redis connection restored'));
      return line ? (JSON.parse(line) as { time: number }).time : Number.NaN;
    });
    expect(restoredAt.every((t) => t >= restartAt)).toBe(true);
    const resumeMs = Math.max(...restoredAt) - restartAt;
    const unstored = Object.values(gateways).flatMap((g) =>
      g.lines.filter((l) => l.includes('result not stored')),
    ).length;

    const waits = refusals.map((a) => a.ms);
    console.info(
      `[reliability] store outage: ${SUBMISSIONS} submissions from ${CLIENTS} clients over two ` +
        `instances, redis-server stopped after ${STOP_AFTER} results for ` +
        `${((restartedAt - stoppedAt) / 1000).toFixed(1)} s: ${refusals.length} attempts answered ` +
        `SERVICE_UNAVAILABLE (503) after p50 ${percentile(waits, 50).toFixed(0)} ms, max ` +
        `${Math.max(...waits).toFixed(0)} ms; ${outageTokens.length} session tokens issued ` +
        `meanwhile (p50 ${percentile(outageTokens, 50).toFixed(0)} ms, max ` +
        `${Math.max(...outageTokens).toFixed(0)} ms); ${unstored} results given ` +
        `while their store write failed; redis-server ready ${redisReadyMs} ms after the restart ` +
        `began, both instances reconnected within ${resumeMs} ms of it; all done ` +
        `${allDoneSeconds.toFixed(1)} s after; upstream POSTs ${posts.length}, one per transaction`,
    );
  });
});
