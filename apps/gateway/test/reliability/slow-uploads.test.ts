import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type GatewayProcess, spawnGateway } from '../support/gateway-process.js';
import {
  bytesIn,
  clientConnections,
  percentile,
  probeSessionTokens,
  readMetric,
  sampler,
  until,
} from './support/probes.js';
import { type HttpAnswer, RawUpload, submitPieces } from './support/raw-upload.js';
import type { SandboxProcess } from './support/sandbox-process.js';
import { capsulePosts, gatewayEnv, startReliabilitySandbox } from './support/stack.js';

const CONNECTIONS = 200;
/** 4 connections per address: MAX_UPLOADS_PER_IP's default, so that limit never refuses here. */
const ADDRESSES = 50;
/** Short, so the attack is over in seconds. */
const UPLOAD_TIMEOUT_MS = 2_000;
const CAPSULE_MAX_BYTES = 10 * 1024 * 1024;
/** The default budget. Each slow upload declares a 10 MiB capsule and reserves 10 MiB + 1. */
const SPOOL_MAX_BYTES = 1024 * 1024 * 1024;
const ADMITTED_AT_ONCE = Math.floor(SPOOL_MAX_BYTES / (CAPSULE_MAX_BYTES + 1));

const FILE_BYTE = Buffer.from([0x5a]);

interface SlowClient {
  upload: RawUpload;
  answer?: HttpAnswer;
  stop(): void;
}

/**
 * Declares a whole 10 MiB capsule, then sends its body one byte a second and never stops by
 * itself (an attacker does not read answers): from the first byte of the body (the operations
 * never arrive) or, for odd clients, after sending the multipart head at once (the file part is
 * spooling).
 */
function slowClient(graphqlUrl: string, index: number): SlowClient {
  const pieces = submitPieces(randomUUID(), CAPSULE_MAX_BYTES);
  const upload = new RawUpload(graphqlUrl, {
    localAddress: `127.0.3.${1 + (index % ADDRESSES)}`,
    contentLength: pieces.length,
  });
  if (index % 2 === 1) void upload.write(pieces.head);
  let at = 0;
  const timer = setInterval(() => {
    void upload.write(index % 2 === 0 ? pieces.head.subarray(at, at + 1) : FILE_BYTE);
    at += 1;
  }, 1_000);
  upload.closed.then(() => clearInterval(timer));
  return { upload, stop: () => clearInterval(timer) };
}

describe('slow uploads: 200 connections sending 1 byte a second', () => {
  let sandbox: SandboxProcess;
  let gateway: GatewayProcess;
  const clients: SlowClient[] = [];

  beforeAll(async () => {
    sandbox = await startReliabilitySandbox();
    gateway = await spawnGateway(
      gatewayEnv(sandbox, inject('redisUrl'), {
        UPLOAD_TIMEOUT_MS: String(UPLOAD_TIMEOUT_MS),
        MAX_UPLOADS_PER_IP: '4',
        // Enough places for all: the spool budget (by declared length) is what refuses here.
        MAX_CONCURRENT_UPLOADS: String(CONNECTIONS),
      }),
    );
  });
  afterAll(async () => {
    for (const client of clients) {
      client.stop();
      client.upload.destroy();
    }
    await gateway?.dispose();
    await sandbox?.close();
  });

  it('each gets 408 UPLOAD_TIMEOUT or 503 SERVICE_UNAVAILABLE, the gateway lets them go, sessionToken keeps answering', async () => {
    const probe = probeSessionTokens(gateway.graphqlUrl);
    const reserved = sampler(() => readMetric(gateway.url, 'oz_liveness_spool_reserved_bytes'), 50);
    const active = sampler(() => readMetric(gateway.url, 'oz_liveness_uploads_active'), 50);
    const disk = sampler(() => bytesIn(gateway.tmpDir));
    const startedAt = performance.now();

    for (let i = 0; i < CONNECTIONS; i += 1) clients.push(slowClient(gateway.graphqlUrl, i));
    const answers = await Promise.all(clients.map((c) => c.upload.answer));
    const answeredMs = performance.now() - startedAt;
    // The clients keep sending; the gateway must close every connection by itself.
    await Promise.all(clients.map((c) => c.upload.closed));
    const closedMs = performance.now() - startedAt;

    await probe.stop();
    const maxReserved = Math.max(...(await reserved.stop()));
    const maxActive = Math.max(...(await active.stop()));
    const maxDisk = Math.max(...(await disk.stop()));

    const timedOut = answers.filter((a) => a.status === 408);
    const refused = answers.filter((a) => a.status === 503);
    expect(timedOut.length + refused.length).toBe(CONNECTIONS);
    for (const answer of timedOut) {
      expect(answer.json.errors?.[0]?.extensions).toEqual({
        code: 'UPLOAD_TIMEOUT',
        retry: 'UPLOAD',
        timeoutMs: UPLOAD_TIMEOUT_MS,
      });
    }
    for (const answer of refused) {
      expect(answer.headers['retry-after']).toBe('2');
      expect(answer.json.errors?.[0]?.extensions).toEqual({
        code: 'SERVICE_UNAVAILABLE',
        retry: 'UPLOAD',
        retryAfterSeconds: 2,
      });
    }
    // The first wave fills the budget, the rest are refused; a late arrival may take a place
    // freed by a timeout, never more than the budget at once.
    expect(timedOut.length).toBeGreaterThanOrEqual(ADMITTED_AT_ONCE);
    expect(refused.length).toBeGreaterThan(0);
    expect(maxActive).toBeLessThanOrEqual(ADMITTED_AT_ONCE);
    expect(maxReserved).toBeLessThanOrEqual(SPOOL_MAX_BYTES);
    expect(maxDisk).toBeLessThanOrEqual(SPOOL_MAX_BYTES);
    expect(await readMetric(gateway.url, 'oz_liveness_upload_timeouts_total')).toBe(
      timedOut.length,
    );
    expect(
      await readMetric(gateway.url, 'oz_liveness_upload_refusals_total', '{reason="spool_bytes"}'),
    ).toBe(refused.length);

    // Cut at the deadline plus the 2 s the gateway lets a client go on sending (slack for a
    // busy machine), rather than at Node's requestTimeout.
    expect(closedMs).toBeLessThan(UPLOAD_TIMEOUT_MS + 2_000 + 6_000);
    // Session tokens kept coming while the slow connections held the gateway.
    expect(probe.failures).toEqual([]);
    const duringAttack = probe.answeredAt.filter(
      (at) => at > startedAt && at < startedAt + answeredMs,
    );
    expect(duringAttack.length).toBeGreaterThanOrEqual(5);

    // Nothing left: no temp file, no upload holding a place, no socket, nothing sent to Oz.
    expect(await gateway.tempFiles()).toEqual([]);
    expect(await readMetric(gateway.url, 'oz_liveness_uploads_active')).toBe(0);
    expect(await readMetric(gateway.url, 'oz_liveness_spool_reserved_bytes')).toBe(0);
    await until(async () => (await clientConnections(gateway)) === 0, 'client connections gone');
    expect(capsulePosts(await sandbox.control.requests())).toHaveLength(0);

    console.info(
      `[reliability] slow uploads: ${CONNECTIONS} connections at 1 byte/s from ${ADDRESSES} ` +
        `addresses: ${timedOut.length} UPLOAD_TIMEOUT (408), ${refused.length} ` +
        `SERVICE_UNAVAILABLE (503, spool_bytes); all answered in ${(answeredMs / 1000).toFixed(1)} s, ` +
        `all closed by the gateway in ${(closedMs / 1000).toFixed(1)} s; at most ${maxActive} ` +
        `admitted, ${(maxReserved / 2 ** 20).toFixed(0)} MiB reserved of ` +
        `${SPOOL_MAX_BYTES / 2 ** 20} MiB, ${maxDisk} bytes on disk; sessionToken ` +
        `${probe.latencies.length} answered, p50 ${percentile(probe.latencies, 50).toFixed(0)} ms, ` +
        `p99 ${percentile(probe.latencies, 99).toFixed(0)} ms`,
    );
  });
});
