import { setTimeout as sleep } from 'node:timers/promises';
import type { Fault } from '@oz-liveness/sandbox';
import { freePort } from '@oz-liveness/sandbox/test-redis';
import { Agent } from 'undici';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type FdSample, type GatewayProcess, spawnGateway } from '../support/gateway-process.js';
import {
  type Answer,
  containerFor,
  type LivenessResult,
  querySessionToken,
  sessionToken,
  submitCapsule,
} from './support/graphql-client.js';
import type { SandboxProcess } from './support/sandbox-process.js';
import {
  capsulePosts,
  gatewayEnv,
  OZ_PASSWORD,
  pool,
  startReliabilitySandbox,
} from './support/stack.js';

/** Short, so "latency beyond the timeout" costs a second, not a minute. */
const OZ_TIMEOUT_MS = 1_000;
const FOLDERS = '/api/instant/folders/';
const SESSION_TOKEN = '/api/authorize/session_token';

type Expectation =
  | { decision: 'ACCEPT' }
  | { code: string; retry: 'UPLOAD' | 'CAPTURE' | 'NONE'; ozErrorCode?: number };

interface FaultCase {
  name: string;
  fault: Fault;
  first: Expectation;
  /** The same capsule and transactionId sent again, without a fault (what the element does on UPLOAD). */
  retry?: Expectation;
  /** Oz finishes the faulty request only after this long (its token is spent then). */
  settleMs?: number;
}

const UNAVAILABLE = { code: 'OZ_UNAVAILABLE', retry: 'UPLOAD' } as const;
const ACCEPT = { decision: 'ACCEPT' } as const;
/** Oz accepted the first body before the fault: the session token is spent (Oz error 14). */
const TOKEN_SPENT = { code: 'CAPSULE_REJECTED', retry: 'CAPTURE', ozErrorCode: 14 } as const;

const SUBMIT_CASES: FaultCase[] = [
  {
    name: 'latency beyond the timeout',
    fault: { kind: 'latency', ms: OZ_TIMEOUT_MS + 500 },
    first: UNAVAILABLE,
    retry: TOKEN_SPENT,
    settleMs: 800,
  },
  { name: '500', fault: { kind: 'status', status: 500 }, first: UNAVAILABLE, retry: ACCEPT },
  { name: '502', fault: { kind: 'status', status: 502 }, first: UNAVAILABLE, retry: ACCEPT },
  { name: '503', fault: { kind: 'status', status: 503 }, first: UNAVAILABLE, retry: ACCEPT },
  { name: '429', fault: { kind: 'status', status: 429 }, first: UNAVAILABLE, retry: ACCEPT },
  {
    name: '502 with an HTML body (a proxy in front of Oz)',
    fault: { kind: 'status', status: 502, body: '<html><body>Bad gateway</body></html>' },
    first: UNAVAILABLE,
    retry: ACCEPT,
  },
  { name: 'reset before headers', fault: { kind: 'reset' }, first: UNAVAILABLE, retry: ACCEPT },
  {
    name: 'reset after headers',
    fault: { kind: 'reset-after-headers' },
    first: UNAVAILABLE,
    retry: ACCEPT,
  },
  {
    name: 'slow body within the timeout',
    fault: { kind: 'slow-body', chunkDelayMs: 5 },
    first: ACCEPT,
  },
  {
    name: 'slow body beyond the timeout',
    fault: { kind: 'slow-body', chunkDelayMs: 100 },
    first: UNAVAILABLE,
    retry: TOKEN_SPENT,
  },
  { name: 'malformed JSON', fault: { kind: 'malformed-json' }, first: UNAVAILABLE, retry: ACCEPT },
  { name: '401 then success after re-login', fault: { kind: 'unauthorized' }, first: ACCEPT },
  {
    name: '403 then success after re-login',
    fault: { kind: 'unauthorized', status: 403 },
    first: ACCEPT,
  },
  {
    name: '401 again after the re-login',
    fault: { kind: 'unauthorized', count: 2 },
    first: { code: 'OZ_AUTH_FAILED', retry: 'NONE' },
    retry: ACCEPT,
  },
  {
    name: 'Oz refuses the container (400, code 5)',
    fault: {
      kind: 'status',
      status: 400,
      body: JSON.stringify({ error_code: 5, error_message: 'Invalid container', details: null }),
    },
    first: { code: 'CAPSULE_REJECTED', retry: 'CAPTURE', ozErrorCode: 5 },
  },
];

function expectOutcome(answer: Answer<LivenessResult>, expected: Expectation, label: string) {
  expect(answer.status, `${label}: ${answer.text}`).toBe(200);
  if ('decision' in expected) {
    expect(answer.error, `${label}: ${answer.text}`).toBeUndefined();
    expect(answer.data?.decision, label).toBe(expected.decision);
    return;
  }
  expect(answer.data, `${label}: ${answer.text}`).toBeUndefined();
  expect(answer.error?.extensions, `${label}: ${answer.text}`).toMatchObject({
    code: expected.code,
    retry: expected.retry,
    ...(expected.ozErrorCode === undefined ? {} : { ozErrorCode: expected.ozErrorCode }),
  });
}

describe('fault matrix against a gateway process (sandbox fault injection, Redis store)', () => {
  let sandbox: SandboxProcess;
  let gateway: GatewayProcess;
  const extraProcesses: GatewayProcess[] = [];
  const sessionTokens = new Set<string>();
  let agent: Agent;
  /** Descriptors of the process before any request: listening socket, Redis, stdio. */
  let idle: FdSample;

  const lastRequestId = async () => (await sandbox.control.requests()).at(-1)?.id ?? 0;
  const requestsSince = async (id: number) =>
    (await sandbox.control.requests()).filter((r) => r.id > id);
  const freshToken = async (url = gateway.graphqlUrl) => {
    const token = await sessionToken(url, agent);
    sessionTokens.add(token.token);
    return token;
  };

  beforeAll(async () => {
    sandbox = await startReliabilitySandbox();
    gateway = await spawnGateway(
      gatewayEnv(sandbox, inject('redisUrl'), { OZ_TIMEOUT_MS: String(OZ_TIMEOUT_MS) }),
      { probe: true },
    );
    // Idle includes the Redis connection, made right after start.
    await gateway.line(
      (line) => line.includes('"msg":"redis connection ready"'),
      'redis connection',
      15_000,
    );
    idle = await gateway.fds();
    agent = new Agent();
  });
  afterAll(async () => {
    await agent?.close();
    for (const process of [gateway, ...extraProcesses]) await process?.dispose();
    await sandbox?.close();
  });

  for (const testCase of SUBMIT_CASES) {
    it(`submitCapsule, Oz ${testCase.name}`, async () => {
      const token = await freshToken();
      const capsule = await containerFor(token);
      const since = await lastRequestId();
      await sandbox.control.injectFault({ path: FOLDERS, ...testCase.fault });

      const first = await submitCapsule(gateway.graphqlUrl, capsule, token.transactionId, {
        dispatcher: agent,
      });
      expectOutcome(first, testCase.first, 'first attempt');
      if (testCase.fault.kind === 'unauthorized') {
        const seen = await requestsSince(since);
        // One refused POST, one login, then the POST again (the body was resent from disk).
        expect(seen.map((r) => r.path)).toEqual([FOLDERS, '/api/authorize/auth/', FOLDERS]);
        expect(seen[0]?.bodySha256).toBe(seen[2]?.bodySha256);
      }
      if (testCase.retry) {
        if (testCase.settleMs) await sleep(testCase.settleMs);
        const again = await submitCapsule(gateway.graphqlUrl, capsule, token.transactionId, {
          dispatcher: agent,
        });
        expectOutcome(again, testCase.retry, 'retry with the same capsule');
      }
      if ((testCase.retry ?? testCase.first) === ACCEPT) {
        // A success is stored: one more retry gets the same result without another POST.
        const posts = capsulePosts(await requestsSince(since)).length;
        const last = await submitCapsule(gateway.graphqlUrl, capsule, token.transactionId, {
          dispatcher: agent,
        });
        expectOutcome(last, ACCEPT, 'stored');
        expect(capsulePosts(await requestsSince(since))).toHaveLength(posts);
      }
    });
  }

  for (const fault of [
    { kind: 'status', status: 503 },
    { kind: 'reset' },
    { kind: 'malformed-json' },
  ] as Fault[]) {
    it(`sessionToken, Oz ${fault.kind}${'status' in fault ? ` ${fault.status}` : ''}`, async () => {
      await sandbox.control.injectFault({ path: SESSION_TOKEN, ...fault });
      const failed = await querySessionToken(gateway.graphqlUrl, agent);
      expect(failed.data).toBeUndefined();
      expect(failed.error?.extensions).toMatchObject(UNAVAILABLE);
      const token = await freshToken();
      expect(token.token).toMatch(/^eyJ/);
    });
  }

  it('sessionToken, Oz 401 then success after re-login', async () => {
    await sandbox.control.injectFault({ path: SESSION_TOKEN, kind: 'unauthorized' });
    const token = await freshToken();
    // A signed ticket (base64url, no binding): issued only once the token came back.
    expect(token.transactionId).toMatch(/^[A-Za-z0-9_-]{50}$/);
  });

  it('sessionToken and submitCapsule, Oz refusing connections', async () => {
    const dead = await spawnGateway(
      gatewayEnv(sandbox, inject('redisUrl'), {
        OZ_API_URL: `http://127.0.0.1:${await freePort()}`,
      }),
    );
    extraProcesses.push(dead);
    const failed = await querySessionToken(dead.graphqlUrl, agent);
    expect(failed.error?.extensions).toMatchObject(UNAVAILABLE);
    const token = await freshToken();
    const answer = await submitCapsule(
      dead.graphqlUrl,
      await containerFor(token),
      token.transactionId,
      { dispatcher: agent },
    );
    expectOutcome(answer, UNAVAILABLE, 'refused');
  });

  it('full mode: a retry after a timeout recovers the folder Oz created meanwhile', async () => {
    const full = await spawnGateway(
      gatewayEnv(sandbox, inject('redisUrl'), {
        OZ_API_MODE: 'full',
        OZ_TIMEOUT_MS: String(OZ_TIMEOUT_MS),
      }),
    );
    extraProcesses.push(full);
    const token = await freshToken(full.graphqlUrl);
    const capsule = await containerFor(token);
    const since = await lastRequestId();
    await sandbox.control.injectFault({
      path: '/api/folders/',
      kind: 'latency',
      ms: OZ_TIMEOUT_MS + 500,
    });
    const first = await submitCapsule(full.graphqlUrl, capsule, token.transactionId, {
      dispatcher: agent,
    });
    expectOutcome(first, UNAVAILABLE, 'first attempt');
    await sleep(800);
    const again = await submitCapsule(full.graphqlUrl, capsule, token.transactionId, {
      dispatcher: agent,
    });
    expectOutcome(again, ACCEPT, 'retry');
    const seen = await requestsSince(since);
    expect(capsulePosts(seen)).toHaveLength(2);
    expect(seen.some((r) => r.method === 'GET' && r.query.includes(token.transactionId))).toBe(
      true,
    );
  });

  it('1,000 mixed faulty submissions: no leaked sockets, temp files or memory; still serves', async () => {
    const faults: Array<Fault | null> = [
      { kind: 'status', status: 500 },
      { kind: 'status', status: 502 },
      { kind: 'status', status: 503 },
      { kind: 'status', status: 429 },
      { kind: 'reset' },
      { kind: 'reset-after-headers' },
      { kind: 'malformed-json' },
      { kind: 'slow-body', chunkDelayMs: 1 },
      { kind: 'latency', ms: OZ_TIMEOUT_MS + 300 },
      { kind: 'unauthorized' },
      null, // no fault: a plain success in the mix
    ];
    const allowed: Record<string, string> = {
      OZ_UNAVAILABLE: 'UPLOAD',
      OZ_AUTH_FAILED: 'NONE',
    };
    const outcomes: Record<string, number> = {};
    /** `count` clients' flows (token, capture, fault, submit), 20 at a time, faults interleaved. */
    const run = async (count: number) => {
      const client = new Agent({ connections: 32 });
      await pool(count, 20, async (i) => {
        const token = await freshToken(gateway.graphqlUrl);
        const capsule = await containerFor(token);
        const fault = faults[i % faults.length];
        if (fault) await sandbox.control.injectFault({ path: FOLDERS, ...fault });
        const answer = await submitCapsule(gateway.graphqlUrl, capsule, token.transactionId, {
          dispatcher: client,
        });
        expect(answer.status, answer.text).toBe(200);
        const code = answer.error?.extensions?.code;
        if (answer.data) {
          expect(answer.data.decision).toBe('ACCEPT');
          outcomes.ACCEPT = (outcomes.ACCEPT ?? 0) + 1;
        } else {
          expect(Object.keys(allowed), answer.text).toContain(code);
          expect(answer.error?.extensions?.retry).toBe(allowed[code as string]);
          outcomes[code as string] = (outcomes[code as string] ?? 0) + 1;
        }
      });
      await client.close();
      // Faults left over (a re-login retry takes one more) must not leak into the next phase.
      await sandbox.control.reset();
    };

    /** Waits until the process is back to its idle socket count (keep-alive pools drain in ~5 s). */
    const settledFds = async (idleSockets: number) => {
      let sample = await gateway.fds();
      for (let i = 0; i < 40 && sample.sockets > idleSockets; i += 1) {
        await sleep(250);
        sample = await gateway.fds();
      }
      return sample;
    };

    await run(100); // warm-up: JIT, pools, caches, allocator arenas
    for (const key of Object.keys(outcomes)) delete outcomes[key];
    const before = await gateway.memory();

    const startedAt = performance.now();
    await run(500);
    const half = await gateway.memory();
    await run(500);
    const seconds = (performance.now() - startedAt) / 1000;
    const after = await gateway.memory();
    const afterFds = await settledFds(idle.sockets);
    const leftovers = await gateway.tempFiles();

    const mib = (bytes: number) => (bytes / 2 ** 20).toFixed(1);
    console.info(
      `[reliability] 1000 faulty submissions in ${seconds.toFixed(1)} s: ${JSON.stringify(outcomes)}; ` +
        `fds idle=${JSON.stringify(idle)} after=${JSON.stringify(afterFds)}; ` +
        `heapUsed ${mib(before.heapUsed)} → ${mib(half.heapUsed)} → ${mib(after.heapUsed)} MiB, ` +
        `rss ${mib(before.rss)} → ${mib(half.rss)} → ${mib(after.rss)} MiB`,
    );

    const total = Object.values(outcomes).reduce((sum, n) => sum + n, 0);
    expect(total).toBe(1_000);
    // Most requests met a failing fault; successes came from the clean, slow-body and re-login ones.
    expect(outcomes.OZ_UNAVAILABLE ?? 0).toBeGreaterThan(600);
    expect(outcomes.ACCEPT ?? 0).toBeGreaterThan(150);
    expect(afterFds.sockets).toBeLessThanOrEqual(idle.sockets);
    expect(afterFds.total).toBeLessThanOrEqual(idle.total + 2);
    expect(afterFds.tempFiles).toBe(0);
    expect(leftovers).toEqual([]);
    // Heap after GC is the leak signal: a leak grows with every request, so the second half must
    // not keep growing. RSS only catches gross leaks: allocator arenas make it jump under load
    // (seen +50 MiB with a busy machine), yet leaking even 128 KiB a request would pass 125 MiB.
    expect(after.heapUsed - before.heapUsed).toBeLessThan(8 * 2 ** 20);
    expect(after.heapUsed - half.heapUsed).toBeLessThan(4 * 2 ** 20);
    expect(after.rss - before.rss).toBeLessThan(125 * 2 ** 20);

    // Still serves: health, readiness, and a clean submission.
    expect((await fetch(`${gateway.url}/healthz`)).status).toBe(200);
    expect((await fetch(`${gateway.url}/readyz`)).status).toBe(200);
    const token = await freshToken();
    const answer = await submitCapsule(
      gateway.graphqlUrl,
      await containerFor(token),
      token.transactionId,
      { dispatcher: agent },
    );
    expectOutcome(answer, ACCEPT, 'after the run');
    expect(gateway.child.exitCode).toBeNull();
  });

  it('logged no password and no session token', () => {
    const lines = [gateway, ...extraProcesses].flatMap((process) => process.lines);
    expect(lines.length).toBeGreaterThan(1_000);
    const leaks = lines.filter(
      (line) =>
        line.includes(OZ_PASSWORD) || [...sessionTokens].some((token) => line.includes(token)),
    );
    expect(leaks).toEqual([]);
  });
});
