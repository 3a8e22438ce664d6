import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type GatewayProcess, spawnGateway } from '../support/gateway-process.js';
import { randomBytes, sessionToken } from './support/graphql-client.js';
import {
  bytesIn,
  clientConnections,
  histogramQuantile,
  percentile,
  probeSessionTokens,
  readMetric,
  sampler,
  until,
} from './support/probes.js';
import { type HttpAnswer, RawUpload, submitPieces } from './support/raw-upload.js';
import type { SandboxProcess } from './support/sandbox-process.js';
import { capsulePosts, gatewayEnv, pool, startReliabilitySandbox } from './support/stack.js';
import { streamedContainer } from './support/streamed-container.js';

const UPLOADS = 100;
/** 4 uploads per address: MAX_UPLOADS_PER_IP's default, so only the instance cap refuses. */
const PER_ADDRESS = 4;
/** The defaults: MAX_CONCURRENT_UPLOADS, SPOOL_MAX_BYTES, CAPSULE_MAX_BYTES. */
const MAX_CONCURRENT_UPLOADS = 64;
const SPOOL_MAX_BYTES = 1024 * 1024 * 1024;
const CAPSULE_BYTES = 10 * 1024 * 1024;
/** What every upload sends before the test lets the admitted ones go on. */
const HELD_BYTES = 4 * 1024 * 1024;
const MiB = 2 ** 20;

interface Flood {
  upload: RawUpload;
  sha256: string;
  rest: Uint8Array[];
}

describe('100 concurrent 10 MiB uploads against MAX_CONCURRENT_UPLOADS=64', () => {
  let sandbox: SandboxProcess;
  let gateway: GatewayProcess;
  const floods: Flood[] = [];

  beforeAll(async () => {
    // Its own process: hashing 640 MiB of capsules must not stall this one's clients and probe.
    sandbox = await startReliabilitySandbox();
    // The contract's defaults for every upload limit (the suite's env lifts the per-IP one).
    gateway = await spawnGateway(
      gatewayEnv(sandbox, inject('redisUrl'), { MAX_UPLOADS_PER_IP: '4' }),
    );
  });
  afterAll(async () => {
    for (const flood of floods) flood.upload.destroy();
    await gateway?.dispose();
    await sandbox?.close();
  });

  it('64 spool and succeed, 36 are refused before their body, the disk stays within budget', async () => {
    const tokens = await pool(UPLOADS, 10, () => sessionToken(gateway.graphqlUrl));
    const clip = randomBytes(CAPSULE_BYTES);
    // Built (and hashed) before anything is measured: that is the test's CPU, not the gateway's.
    const capsules = tokens.map((token) => ({
      token,
      container: streamedContainer(token, clip, CAPSULE_BYTES),
      pieces: submitPieces(token.transactionId, CAPSULE_BYTES),
    }));
    const probe = probeSessionTokens(gateway.graphqlUrl);
    const disk = sampler(() => bytesIn(gateway.tmpDir));
    const active = sampler(() => readMetric(gateway.url, 'oz_liveness_uploads_active'), 200);

    // Every upload sends its head and its first 4 MiB at once, then waits.
    for (const [i, { container, pieces }] of capsules.entries()) {
      const upload = new RawUpload(gateway.graphqlUrl, {
        localAddress: `127.0.4.${1 + Math.floor(i / PER_ADDRESS)}`,
        contentLength: pieces.length,
      });
      const held = HELD_BYTES - container.prefix.length;
      void upload.write(Buffer.concat([pieces.head, container.prefix]));
      void upload.write(container.body.subarray(0, held));
      floods.push({
        upload,
        sha256: container.sha256,
        rest: [container.body.subarray(held), container.trailer, pieces.tail],
      });
    }

    // The cap is full and every other upload has had its answer, before any admitted one ended.
    const answered = new Set<Flood>();
    for (const flood of floods) void flood.upload.answer.then(() => answered.add(flood));
    await until(
      async () =>
        answered.size === UPLOADS - MAX_CONCURRENT_UPLOADS &&
        (await readMetric(gateway.url, 'oz_liveness_uploads_active')) === MAX_CONCURRENT_UPLOADS,
      '64 admitted and 36 answered',
      30_000,
    );
    const refusalsMs = Math.max(
      ...[...answered].map((f) => f.upload.answeredAt - f.upload.startedAt),
    );
    // Each admitted upload's 4 MiB are on disk: the temp folder holds exactly that.
    await until(
      async () =>
        (await readMetric(gateway.url, 'oz_liveness_spool_bytes')) ===
        MAX_CONCURRENT_UPLOADS * HELD_BYTES,
      'the held bytes spooled',
      30_000,
    );
    expect(await bytesIn(gateway.tmpDir)).toBe(MAX_CONCURRENT_UPLOADS * HELD_BYTES);

    const refused = floods.filter((f) => answered.has(f));
    const admitted = floods.filter((f) => !answered.has(f));
    for (const flood of refused) {
      const answer = await flood.upload.answer;
      expect(answer.status).toBe(503);
      expect(answer.headers['retry-after']).toBe('2');
      expect(answer.json.errors?.[0]?.extensions).toEqual({
        code: 'SERVICE_UNAVAILABLE',
        retry: 'UPLOAD',
        retryAfterSeconds: 2,
      });
      flood.upload.destroy();
    }

    // The admitted ones send the rest and get their verdicts.
    const startedAt = performance.now();
    const results = await Promise.all(
      admitted.map(async (flood): Promise<HttpAnswer> => {
        for (const piece of flood.rest) await flood.upload.write(piece);
        return flood.upload.answer;
      }),
    );
    const uploadsEndedAt = performance.now();
    const uploadSeconds = (uploadsEndedAt - startedAt) / 1000;
    for (const answer of results) {
      expect(answer.status, answer.text).toBe(200);
      expect((answer.json.data?.submitCapsule as { decision?: string })?.decision).toBe('ACCEPT');
    }
    for (const flood of admitted) flood.upload.destroy();

    await probe.stop();
    const maxDisk = Math.max(...(await disk.stop()));
    const maxActive = Math.max(...(await active.stop()));
    // How much of that was Oz's (the sandbox's) answer, and how much the gateway's own.
    const [gatewayP99, ozP99] = await Promise.all([
      histogramQuantile(
        gateway.url,
        'oz_liveness_graphql_request_duration_seconds',
        'operation="sessionToken"',
        0.99,
      ),
      histogramQuantile(
        gateway.url,
        'oz_liveness_upstream_duration_seconds',
        'operation="sessionToken"',
        0.99,
      ),
    ]);
    expect(maxDisk).toBeLessThanOrEqual(SPOOL_MAX_BYTES);
    expect(maxDisk).toBeLessThanOrEqual(MAX_CONCURRENT_UPLOADS * (CAPSULE_BYTES + 1));
    expect(maxActive).toBeLessThanOrEqual(MAX_CONCURRENT_UPLOADS);
    // Session tokens kept coming while the 64 capsules arrived and went on to Oz.
    const upstreamFailures = gateway.lines.filter((line) => line.includes('upstream call failed'));
    expect(probe.failures, upstreamFailures.join('\n')).toEqual([]);
    const duringUploads = probe.answeredAt.filter((at) => at > startedAt && at < uploadsEndedAt);
    expect(duringUploads.length).toBeGreaterThanOrEqual(5);

    // Exactly the admitted capsules reached Oz, whole, once each; no refused one did.
    const posts = capsulePosts(await sandbox.control.requests());
    expect(posts).toHaveLength(MAX_CONCURRENT_UPLOADS);
    expect(posts.every((post) => post.bodyLength === CAPSULE_BYTES)).toBe(true);
    expect(new Set(posts.map((post) => post.bodySha256))).toEqual(
      new Set(admitted.map((f) => f.sha256)),
    );
    expect(
      await readMetric(
        gateway.url,
        'oz_liveness_upload_refusals_total',
        '{reason="concurrent_uploads"}',
      ),
    ).toBe(UPLOADS - MAX_CONCURRENT_UPLOADS);

    // Nothing left behind.
    await until(
      async () => (await readMetric(gateway.url, 'oz_liveness_uploads_active')) === 0,
      'every place given back',
    );
    expect(await readMetric(gateway.url, 'oz_liveness_spool_reserved_bytes')).toBe(0);
    expect(await gateway.tempFiles()).toEqual([]);
    await until(async () => (await clientConnections(gateway)) === 0, 'client connections gone');

    console.info(
      `[reliability] upload flood: ${UPLOADS} × 10 MiB from ${UPLOADS / PER_ADDRESS} addresses ` +
        `against a cap of ${MAX_CONCURRENT_UPLOADS}: ${admitted.length} admitted → ACCEPT ` +
        `in ${uploadSeconds.toFixed(1)} s after release, ` +
        `${refused.length} SERVICE_UNAVAILABLE, each within ${refusalsMs.toFixed(0)} ms of connecting; ` +
        `at most ${maxActive} admitted; temp folder at most ${(maxDisk / MiB).toFixed(0)} MiB ` +
        `(budget ${SPOOL_MAX_BYTES / MiB} MiB); upstream POSTs ${posts.length}; sessionToken ` +
        `${probe.latencies.length} answered (${duringUploads.length} while the admitted uploads ran), p50 ${percentile(probe.latencies, 50).toFixed(0)} ms, ` +
        `p99 ${percentile(probe.latencies, 99).toFixed(0)} ms (p99 inside the gateway ≤ ${gatewayP99} s, ` +
        `of Oz's answer ≤ ${ozP99} s)`,
    );
  });
});
