import { createHash } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { verifyReceipt } from '@oz-liveness/gateway/receipt';
import { Agent } from 'undici';
import { expect } from 'vitest';
import type { GatewayProcess } from '../../support/gateway-process.js';
import {
  containerFor,
  type LivenessResult,
  randomBytes,
  sessionToken,
  submitCapsule,
} from './graphql-client.js';
import { percentile } from './probes.js';
import type { SandboxProcess } from './sandbox-process.js';
import { capsulePosts, RECEIPT_SECRET } from './stack.js';

export const SUBMISSIONS = 500;
const CLIENTS = 50;
const PER_CLIENT = SUBMISSIONS / CLIENTS;
/** Clients 0..16: a third of the 50 retry every request on the other instance. */
const RETRYING_CLIENTS = Math.ceil(CLIENTS / 3);
const CAPSULE_BYTES = 1024 * 1024;

interface Transaction {
  client: number;
  transactionId: string;
  sha256: string;
  primary: 'A' | 'B';
  first: LivenessResult;
  retry?: { result: LivenessResult; concurrent: boolean };
  ms: number;
}

export interface TwoInstanceLoad {
  gateways: Record<'A' | 'B', GatewayProcess>;
  sandbox: SandboxProcess;
  /** What the shared store holds under `oz-liveness:tx:{<id>}` for each transaction, in order. */
  stored(transactionIds: string[]): Promise<Array<string | null>>;
}

/**
 * 500 submissions of 1 MiB from 50 clients over two instances sharing a store, a third of the
 * clients sending each request to the other instance too (half racing the first attempt, half
 * after it). Asserts exactly one upstream POST per transaction, byte for byte; correct results
 * with receipts that verify; every retry identical to the first answer; each result in the
 * store. Resolves with a one-line summary of the numbers.
 */
export async function runTwoInstanceLoad({ gateways, sandbox, stored }: TwoInstanceLoad) {
  const agent = new Agent({ connections: CLIENTS * 2 });
  // One random clip for every capsule: each container still differs (its own token and id).
  const clip = randomBytes(CAPSULE_BYTES);
  const transactions: Transaction[] = [];
  const failures: string[] = [];

  const client = async (index: number) => {
    const primary = index % 2 === 0 ? 'A' : 'B';
    const other = primary === 'A' ? 'B' : 'A';
    const retrying = index < RETRYING_CLIENTS;
    for (let n = 0; n < PER_CLIENT; n += 1) {
      try {
        await transaction(index, n, primary, other, retrying);
      } catch (error) {
        // Recorded, not thrown: every client runs to its end, none is left running unobserved.
        failures.push(`client ${index}: ${String(error)}`);
      }
    }
  };

  const transaction = async (
    index: number,
    n: number,
    primary: 'A' | 'B',
    other: 'A' | 'B',
    retrying: boolean,
  ) => {
    const startedAt = performance.now();
    const token = await sessionToken(gateways[primary].graphqlUrl, agent);
    const capsule = await containerFor(token, { size: CAPSULE_BYTES, clip });
    const send = (instance: 'A' | 'B') =>
      submitCapsule(gateways[instance].graphqlUrl, capsule, token.transactionId, {
        dispatcher: agent,
      });
    // Half the retries race the first attempt (a client that gave up on it), half follow it.
    const concurrent = retrying && n % 2 === 0;
    const first = send(primary);
    const racing = concurrent
      ? sleep(Math.floor(Math.random() * 50)).then(() => send(other))
      : undefined;
    // Awaited below in any case; observed now so a failing first attempt leaves no
    // rejection unhandled.
    racing?.catch(() => {});
    const firstAnswer = await first;
    const retryAnswer = retrying ? await (racing ?? send(other)) : undefined;
    const ms = performance.now() - startedAt;
    if (!firstAnswer.data || (retryAnswer && !retryAnswer.data)) {
      failures.push(`${token.transactionId}: ${firstAnswer.text} / ${retryAnswer?.text}`);
      return;
    }
    transactions.push({
      client: index,
      transactionId: token.transactionId,
      sha256: createHash('sha256').update(capsule).digest('hex'),
      primary,
      first: firstAnswer.data,
      ...(retryAnswer?.data ? { retry: { result: retryAnswer.data, concurrent } } : {}),
      ms,
    });
  };

  const startedAt = performance.now();
  await Promise.all(Array.from({ length: CLIENTS }, (_, i) => client(i)));
  const seconds = (performance.now() - startedAt) / 1000;
  await agent.close();

  expect(failures).toEqual([]);
  expect(transactions).toHaveLength(SUBMISSIONS);

  // Exactly one upstream POST per transaction, byte for byte the capsule that was sent.
  const posts = capsulePosts(await sandbox.control.requests());
  expect(posts).toHaveLength(SUBMISSIONS);
  expect(posts.every((post) => post.bodyLength === CAPSULE_BYTES)).toBe(true);
  expect(new Set(posts.map((post) => post.bodySha256))).toEqual(
    new Set(transactions.map((t) => t.sha256)),
  );

  // Correct results: their own transaction, accepted, one folder each, receipts that verify.
  expect(new Set(transactions.map((t) => t.first.folderId)).size).toBe(SUBMISSIONS);
  for (const t of transactions) {
    expect(t.first).toMatchObject({
      transactionId: t.transactionId,
      decision: 'ACCEPT',
      resolutionStatus: 'FINISHED',
      systemResolution: 'SUCCESS',
    });
    const claims = await verifyReceipt(t.first.receipt, RECEIPT_SECRET);
    expect(claims).toMatchObject({ tid: t.transactionId, fid: t.first.folderId });
  }

  // Every retry on the other instance: the very same result, from the shared store.
  const retried = transactions.filter((t) => t.retry);
  expect(retried).toHaveLength(RETRYING_CLIENTS * PER_CLIENT);
  for (const t of retried) expect(t.retry?.result).toEqual(t.first);
  const values = await stored(transactions.map((t) => t.transactionId));
  values.forEach((value, i) => {
    expect(JSON.parse(value ?? '{}').result).toEqual(transactions[i]?.first);
  });

  const latencies = transactions.map((t) => t.ms);
  const perInstance = { A: 0, B: 0 };
  for (const t of transactions) perInstance[t.primary] += 1;
  return (
    `${SUBMISSIONS} × 1 MiB (+${retried.length} retries: ` +
    `${retried.filter((t) => t.retry?.concurrent).length} racing, ` +
    `${retried.filter((t) => !t.retry?.concurrent).length} after) from ${CLIENTS} clients in ` +
    `${seconds.toFixed(1)} s = ${(SUBMISSIONS / seconds).toFixed(1)}/s; ` +
    `flow p50 ${percentile(latencies, 50).toFixed(0)} ms, p95 ${percentile(latencies, 95).toFixed(0)} ms; ` +
    `primaries ${JSON.stringify(perInstance)}; upstream POSTs ${posts.length}, lost ` +
    `${SUBMISSIONS - transactions.length}`
  );
}
