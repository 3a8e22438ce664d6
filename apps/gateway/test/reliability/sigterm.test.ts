import { setTimeout as sleep } from 'node:timers/promises';
import { Agent } from 'undici';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type Exit, type GatewayProcess, spawnGateway } from '../support/gateway-process.js';
import {
  type Answer,
  containerFor,
  type LivenessResult,
  randomBytes,
  sessionToken,
  submitCapsule,
} from './support/graphql-client.js';
import type { SandboxProcess } from './support/sandbox-process.js';
import { capsulePosts, gatewayEnv, startReliabilitySandbox } from './support/stack.js';

const CLIENTS = 20;
const PER_CLIENT = 5;
const TRANSACTIONS = CLIENTS * PER_CLIENT;
const CAPSULE_BYTES = 256 * 1024;
/** Every upstream POST takes this long, so a good number are in flight at SIGTERM. */
const OZ_LATENCY_MS = 600;
/** SIGTERM goes to A once this many submissions run inside it (its own gauge says so). */
const IN_FLIGHT_AT_SIGTERM = 3;

/** Polls `gateway`'s /metrics until at least `count` submissions are running inside it. */
async function submissionsRunning(gateway: GatewayProcess, count: number): Promise<void> {
  for (;;) {
    const metrics = await (await fetch(`${gateway.url}/metrics`)).text();
    const running = Number(/^oz_liveness_submissions_in_flight (\d+)$/m.exec(metrics)?.[1]);
    if (running >= count) return;
    await sleep(20);
  }
}

type Instance = 'A' | 'B';

interface Attempt {
  instance: Instance;
  startedAt: number;
  endedAt: number;
  /** The answer, or the network error that replaced it. */
  answer?: Answer<LivenessResult>;
  networkError?: string;
}

interface Outcome {
  transactionId: string;
  attempts: Attempt[];
  result?: LivenessResult;
}

describe('SIGTERM one of two gateway processes mid-load', () => {
  let sandbox: SandboxProcess;
  const gateways = {} as Record<Instance, GatewayProcess>;

  beforeAll(async () => {
    sandbox = await startReliabilitySandbox();
    const env = gatewayEnv(sandbox, inject('redisUrl'));
    [gateways.A, gateways.B] = await Promise.all([spawnGateway(env), spawnGateway(env)]);
  });
  afterAll(async () => {
    await Promise.all(Object.values(gateways).map((gateway) => gateway?.dispose()));
    await sandbox?.close();
  });

  it('in-flight submissions finish, the other instance serves the retries, nothing is lost', async () => {
    await sandbox.control.injectFault({
      kind: 'latency',
      ms: OZ_LATENCY_MS,
      count: 10 * TRANSACTIONS,
      path: '/api/instant/folders/',
    });
    const agent = new Agent({ connections: CLIENTS * 2 });
    const clip = randomBytes(CAPSULE_BYTES);
    const outcomes: Outcome[] = [];
    const t0 = performance.now();
    let sigtermAt = Number.POSITIVE_INFINITY;
    /** Submissions on A still waiting for their answer: at SIGTERM each is also retried on B. */
    const inFlightOnA = new Set<() => void>();

    const attempt = async (
      instance: Instance,
      capsule: Uint8Array,
      transactionId: string,
    ): Promise<Attempt> => {
      const startedAt = performance.now() - t0;
      try {
        const answer = await submitCapsule(gateways[instance].graphqlUrl, capsule, transactionId, {
          dispatcher: agent,
        });
        return { instance, startedAt, endedAt: performance.now() - t0, answer };
      } catch (error) {
        const cause = (error as { cause?: { code?: string } }).cause?.code;
        return {
          instance,
          startedAt,
          endedAt: performance.now() - t0,
          networkError: cause ?? String(error),
        };
      }
    };

    const client = async (index: number) => {
      const primary: Instance = index % 2 === 0 ? 'A' : 'B';
      for (let n = 0; n < PER_CLIENT; n += 1) {
        // Like a load balancer: the stopped instance gets no new work.
        const target: Instance =
          primary === 'A' && performance.now() - t0 >= sigtermAt ? 'B' : primary;
        let token: Awaited<ReturnType<typeof sessionToken>>;
        try {
          token = await sessionToken(gateways[target].graphqlUrl, agent);
        } catch {
          token = await sessionToken(gateways.B.graphqlUrl, agent);
        }
        const capsule = await containerFor(token, { size: CAPSULE_BYTES, clip });
        const outcome: Outcome = { transactionId: token.transactionId, attempts: [] };
        outcomes.push(outcome);

        let retryOnB: Promise<Attempt> | undefined;
        const onSigterm = () => {
          retryOnB ??= attempt('B', capsule, token.transactionId);
        };
        if (target === 'A') inFlightOnA.add(onSigterm);
        const first = await attempt(target, capsule, token.transactionId);
        inFlightOnA.delete(onSigterm);
        outcome.attempts.push(first);
        // A failed attempt (connection refused or cut, Oz unavailable) is retried on B.
        if (!first.answer?.data) retryOnB ??= attempt('B', capsule, token.transactionId);
        if (retryOnB) outcome.attempts.push(await retryOnB);
        outcome.result = outcome.attempts.find((a) => a.answer?.data)?.answer?.data;
      }
    };

    const load = Promise.all(Array.from({ length: CLIENTS }, (_, i) => client(i)));
    // Not a fixed delay: on a busy machine the first uploads may not have reached A by then.
    await submissionsRunning(gateways.A, IN_FLIGHT_AT_SIGTERM);
    sigtermAt = performance.now() - t0;
    const exitOfA: Promise<Exit> = gateways.A.terminate();
    const inFlightAtSigterm = inFlightOnA.size;
    for (const retry of inFlightOnA) retry();
    await load;
    const exit = await exitOfA;
    await agent.close();

    // Nothing lost: every transaction has a result, and every answer for it is that result.
    expect(outcomes).toHaveLength(TRANSACTIONS);
    const lost = outcomes.filter((o) => !o.result);
    expect(lost.map((o) => JSON.stringify(o.attempts))).toEqual([]);
    for (const outcome of outcomes) {
      for (const a of outcome.attempts) {
        if (a.answer?.data) expect(a.answer.data).toEqual(outcome.result);
      }
    }
    // No transaction went to Oz twice, though many were sent to both instances.
    expect(capsulePosts(await sandbox.control.requests())).toHaveLength(TRANSACTIONS);

    // Graceful drain: A answered what it was doing after the signal, then exited cleanly.
    const drainedOnA = outcomes.flatMap((o) =>
      o.attempts.filter(
        (a) =>
          a.instance === 'A' && a.startedAt < sigtermAt && a.endedAt > sigtermAt && a.answer?.data,
      ),
    );
    expect(exit).toEqual({ code: 0, signal: null });
    const draining = gateways.A.lines.find((line) => line.includes('"msg":"draining"'));
    const activeAtSigterm = Number(JSON.parse(draining ?? '{}').activeSubmissions);
    expect(activeAtSigterm).toBeGreaterThan(0);
    // Every submission A was working on when the signal came was answered with its result.
    expect(drainedOnA.length).toBeGreaterThanOrEqual(activeAtSigterm);
    // A never answered with an error: its attempts either succeeded or were refused/cut before
    // an answer (a connection opened just as it stopped listening), and those were retried on B.
    const errorsFromA = outcomes.flatMap((o) =>
      o.attempts.filter((a) => a.instance === 'A' && a.answer && !a.answer.data),
    );
    expect(errorsFromA.map((a) => a.answer?.text)).toEqual([]);
    expect(gateways.A.lines.some((line) => line.includes('"msg":"stopped"'))).toBe(true);
    expect(await gateways.A.tempFiles()).toEqual([]);

    // B served the retries of A's in-flight work (from the store) and A's share after it stopped.
    const retriedOnB = outcomes.filter(
      (o) => o.attempts.some((a) => a.instance === 'B') && o.attempts[0]?.instance === 'A',
    );
    expect(retriedOnB.length).toBeGreaterThanOrEqual(inFlightAtSigterm);
    const afterSigterm = outcomes.filter((o) => (o.attempts[0]?.startedAt ?? 0) > sigtermAt);
    expect(afterSigterm.length).toBeGreaterThan(0);
    expect(gateways.B.child.exitCode).toBeNull();

    console.info(
      `[reliability] SIGTERM at ${sigtermAt.toFixed(0)} ms with ${inFlightAtSigterm} submissions in flight on A ` +
        `(${activeAtSigterm} inside its service): ` +
        `${drainedOnA.length} drained by A (exit ${exit.code}), ${retriedOnB.length} also answered by B, ` +
        `${afterSigterm.length} started after the signal; ${TRANSACTIONS} transactions, ` +
        `${TRANSACTIONS - lost.length} with a result, upstream POSTs ${TRANSACTIONS}`,
    );
  });
});
