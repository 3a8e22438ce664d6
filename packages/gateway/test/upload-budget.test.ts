import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fetch } from 'undici';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type GatewayConfigError, resolveConfig } from '../src/index.js';
import { UploadBudget } from '../src/upload/upload-budget.js';
import { capsulePosts, capture, type Stack, startStack } from './helpers.js';
import { itLeaksNoSecrets } from './leak-check.js';
import { BOUNDARY, type HttpAnswer, multipartPieces, RawUpload } from './raw-upload.js';

const MiB = 1024 * 1024;

async function until(condition: () => boolean | Promise<boolean>, what: string, ms = 5_000) {
  const deadline = Date.now() + ms;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** One sample of a gauge or counter from `/metrics` (0 when absent). */
async function metric(stack: Stack, name: string, labels = ''): Promise<number> {
  const text = await (await fetch(`${stack.gateway.url}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${name}${labels} `));
  return line ? Number(line.split(' ')[1]) : 0;
}

const budgetOf = async (stack: Stack) => ({
  active: await metric(stack, 'oz_liveness_uploads_active'),
  reserved: await metric(stack, 'oz_liveness_spool_reserved_bytes'),
  spooled: await metric(stack, 'oz_liveness_spool_bytes'),
});

/** A capsule for a fresh token, and a RawUpload for it that has sent its head (not the file). */
async function heldUpload(stack: Stack, localAddress: string, size = 64 * 1024) {
  const { capsule, transactionId } = await capture(stack, size);
  return uploadOf(stack, localAddress, capsule, transactionId);
}

/** A RawUpload of `capsule` that has sent its head; `finish()` sends the rest. */
async function uploadOf(
  stack: Stack,
  localAddress: string,
  capsule: Uint8Array,
  transactionId: string,
) {
  const pieces = multipartPieces(transactionId, capsule.byteLength);
  const upload = new RawUpload(stack.gateway.graphqlUrl, {
    localAddress,
    contentLength: pieces.length,
  });
  await upload.write(pieces.head);
  return {
    capsule,
    transactionId,
    upload,
    /** Sends the file and the closing boundary; resolves with the answer. */
    async finish(): Promise<HttpAnswer> {
      await upload.write(capsule);
      await upload.write(pieces.tail);
      return upload.answer;
    },
  };
}

const extensionsOf = (answer: HttpAnswer) => answer.json.errors?.[0]?.extensions;
const decisionOf = (answer: HttpAnswer) =>
  (answer.json.data as { submitCapsule?: { decision?: string } } | null)?.submitCapsule?.decision;

function expectRefusal(answer: HttpAnswer) {
  expect(answer.status).toBe(503);
  expect(answer.headers['retry-after']).toBe('2');
  expect(extensionsOf(answer)).toEqual({
    code: 'SERVICE_UNAVAILABLE',
    retry: 'UPLOAD',
    retryAfterSeconds: 2,
  });
}

describe('upload limits in the configuration', () => {
  it('defaults to the contract (60 s, 64 uploads, 4 per IP, 1 GiB) and refuses bad values', () => {
    expect(resolveConfig({ ozApiUrl: 'http://127.0.0.1:1' })).toMatchObject({
      uploadTimeoutMs: 60_000,
      maxConcurrentUploads: 64,
      maxUploadsPerIp: 4,
      spoolMaxBytes: 1024 * MiB,
    });
    const problems = (() => {
      try {
        resolveConfig({
          ozApiUrl: 'http://127.0.0.1:1',
          uploadTimeoutMs: 0,
          maxConcurrentUploads: 1.5,
          maxUploadsPerIp: -1,
          capsuleMaxBytes: 10 * MiB,
          spoolMaxBytes: 10 * MiB,
        });
      } catch (error) {
        return (error as GatewayConfigError).problems;
      }
      return [];
    })();
    expect(problems).toEqual([
      'uploadTimeoutMs must be a positive integer',
      'maxConcurrentUploads must be a positive integer',
      'maxUploadsPerIp must be a positive integer',
      'spoolMaxBytes must be larger than capsuleMaxBytes',
    ]);
  });
});

describe('UploadBudget', () => {
  it('admits up to each limit and frees a place exactly once per ticket', () => {
    const budget = new UploadBudget({
      maxConcurrentUploads: 3,
      maxUploadsPerIp: 2,
      spoolMaxBytes: 100,
    });
    const a = budget.admit('a', 10);
    const b = budget.admit('a', 10);
    expect(budget.admit('a', 10)).toBe('uploads_per_ip');
    expect(budget.admit('b', 81)).toBe('spool_bytes');
    const c = budget.admit('b', 80);
    expect(budget.admit('c', 0)).toBe('concurrent_uploads');
    expect([budget.active, budget.reservedBytes]).toEqual([3, 100]);
    for (const ticket of [a, b, c]) {
      if (typeof ticket === 'string') throw new Error(ticket);
      ticket.responseClosed();
      ticket.responseClosed();
    }
    expect([budget.active, budget.reservedBytes]).toEqual([0, 0]);
    expect(typeof budget.admit('a', 100)).toBe('object');
  });
});

describe('upload budget (in process, real uploads on loopback)', () => {
  let stack: Stack;
  let spool: string;
  const previousTmp = process.env.TMPDIR;
  const spooled = () => readdirSync(spool).filter((name) => name.startsWith('capacitor-'));

  beforeAll(async () => {
    // graphql-upload spools into os.tmpdir(): a private one makes leftovers attributable.
    spool = mkdtempSync(join(tmpdir(), 'oz-gateway-budget-'));
    process.env.TMPDIR = spool;
    stack = await startStack({
      gateway: { maxConcurrentUploads: 3, maxUploadsPerIp: 2, spoolMaxBytes: 5 * MiB },
    });
  });
  afterAll(async () => {
    await stack.close();
    if (previousTmp === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = previousTmp;
    rmSync(spool, { recursive: true, force: true });
  });
  beforeEach(async () => {
    await stack.sandbox.control.reset();
  });

  /** Every place back, no bytes reserved or on disk, no temp file. */
  async function expectAllReleased() {
    await until(async () => (await budgetOf(stack)).active === 0, 'the budget to empty');
    expect(await budgetOf(stack)).toEqual({ active: 0, reserved: 0, spooled: 0 });
    await until(() => spooled().length === 0, 'the temp files to go');
  }

  it('refuses over MAX_UPLOADS_PER_IP before reading the body; other addresses still get in', async () => {
    const a1 = await heldUpload(stack, '127.0.0.2');
    const a2 = await heldUpload(stack, '127.0.0.2');
    await until(async () => (await budgetOf(stack)).active === 2, 'two admitted uploads');

    // Only its head is sent: the answer cannot have needed the body.
    const a3 = await heldUpload(stack, '127.0.0.2');
    expectRefusal(await a3.upload.answer);
    // A refusal by design is logged as a warning, not as a failure.
    await until(
      () => stack.logLines.some((line) => line.includes('"msg":"request turned away"')),
      'the refusal logged',
    );
    const refusal = stack.logLines
      .map((line) => JSON.parse(line) as { level: number; msg: string; status?: number })
      .find((line) => line.status === 503);
    expect(refusal).toMatchObject({ level: 40, msg: 'request turned away' });
    const b1 = await heldUpload(stack, '127.0.0.3');
    await until(async () => (await budgetOf(stack)).active === 3, 'the other address admitted');

    for (const held of [a1, a2, b1]) expect(decisionOf(await held.finish())).toBe('ACCEPT');
    for (const held of [a1, a2, a3, b1]) held.upload.destroy();
    // The refused one, sent again with the same capsule and transactionId, goes through.
    const again = await uploadOf(stack, '127.0.0.2', a3.capsule, a3.transactionId);
    expect(decisionOf(await again.finish())).toBe('ACCEPT');
    again.upload.destroy();
    expect(
      await metric(stack, 'oz_liveness_upload_refusals_total', '{reason="uploads_per_ip"}'),
    ).toBe(1);
    expect(await capsulePosts(stack)).toHaveLength(4);
    await expectAllReleased();
  });

  it('refuses over MAX_CONCURRENT_UPLOADS', async () => {
    const held = [
      await heldUpload(stack, '127.0.0.4'),
      await heldUpload(stack, '127.0.0.5'),
      await heldUpload(stack, '127.0.0.6'),
    ];
    await until(async () => (await budgetOf(stack)).active === 3, 'three admitted uploads');
    const fourth = await heldUpload(stack, '127.0.0.7');
    expectRefusal(await fourth.upload.answer);
    for (const h of held) expect(decisionOf(await h.finish())).toBe('ACCEPT');
    for (const h of [...held, fourth]) h.upload.destroy();
    expect(
      await metric(stack, 'oz_liveness_upload_refusals_total', '{reason="concurrent_uploads"}'),
    ).toBe(1);
    await expectAllReleased();
  });

  it('refuses over SPOOL_MAX_BYTES by declared length; a chunked upload reserves the largest capsule', async () => {
    // Two chunked uploads (no declared length) reserve 2 × (2 MiB + 1) of the 5 MiB.
    const chunked = [];
    for (const address of ['127.0.0.8', '127.0.0.9']) {
      const { capsule, transactionId } = await capture(stack, 64 * 1024);
      const pieces = multipartPieces(transactionId, capsule.byteLength);
      const upload = new RawUpload(stack.gateway.graphqlUrl, {
        localAddress: address,
        chunked: true,
      });
      const body = Buffer.concat([pieces.head, capsule, pieces.tail]);
      chunked.push({ upload, body });
    }
    await until(async () => (await budgetOf(stack)).active === 2, 'two chunked uploads admitted');
    expect((await budgetOf(stack)).reserved).toBe(2 * (2 * MiB + 1));

    const big = await heldUpload(stack, '127.0.0.10', 1.5 * MiB);
    expectRefusal(await big.upload.answer);
    const small = await heldUpload(stack, '127.0.0.11', 512 * 1024);
    await until(async () => (await budgetOf(stack)).active === 3, 'the small upload admitted');
    expect(decisionOf(await small.finish())).toBe('ACCEPT');

    for (const { upload, body } of chunked) {
      await upload.write(`${body.length.toString(16)}\r\n`);
      await upload.write(body);
      await upload.write('\r\n0\r\n\r\n');
      expect(decisionOf(await upload.answer)).toBe('ACCEPT');
      upload.destroy();
    }
    for (const h of [big, small]) h.upload.destroy();
    expect(await metric(stack, 'oz_liveness_upload_refusals_total', '{reason="spool_bytes"}')).toBe(
      1,
    );
    await expectAllReleased();
  });

  it('every way an upload ends gives its place back exactly once, with no temp file left', async () => {
    // Finished.
    const ok = await heldUpload(stack, '127.0.0.12');
    expect(decisionOf(await ok.finish())).toBe('ACCEPT');
    ok.upload.destroy();
    await expectAllReleased();

    // The client goes away in the middle of the file.
    const gone = await heldUpload(stack, '127.0.0.12', MiB);
    await gone.upload.write(gone.capsule.subarray(0, MiB / 2));
    await until(() => spooled().some((f) => statSync(join(spool, f)).size > 0), 'bytes on disk');
    gone.upload.destroy();
    await expectAllReleased();

    // Larger than CAPSULE_MAX_BYTES, chunked (so only counting finds out).
    const { transactionId } = await capture(stack);
    const over = new Uint8Array(2 * MiB + 1);
    const pieces = multipartPieces(transactionId, over.byteLength);
    const large = new RawUpload(stack.gateway.graphqlUrl, {
      localAddress: '127.0.0.12',
      chunked: true,
    });
    const body = Buffer.concat([pieces.head, over, pieces.tail]);
    await large.write(`${body.length.toString(16)}\r\n`);
    await large.write(body);
    await large.write('\r\n0\r\n\r\n');
    expect(extensionsOf(await large.answer)).toMatchObject({ code: 'CAPSULE_TOO_LARGE' });
    large.destroy();
    await expectAllReleased();

    // Oz fails.
    await stack.sandbox.control.injectFault({ kind: 'status', status: 503, path: '/api/instant/' });
    const failing = await heldUpload(stack, '127.0.0.12');
    expect(extensionsOf(await failing.finish())).toMatchObject({ code: 'OZ_UNAVAILABLE' });
    failing.upload.destroy();
    await expectAllReleased();

    // Two copies of one transaction at once: one POST, both places back.
    await stack.sandbox.control.injectFault({ kind: 'latency', ms: 300, path: '/api/instant/' });
    const first = await heldUpload(stack, '127.0.0.12');
    const pieces2 = multipartPieces(first.transactionId, first.capsule.byteLength);
    const copy = new RawUpload(stack.gateway.graphqlUrl, {
      localAddress: '127.0.0.13',
      contentLength: pieces2.length,
    });
    await copy.write(Buffer.concat([pieces2.head, first.capsule, pieces2.tail]));
    const [a, b] = await Promise.all([first.finish(), copy.answer]);
    expect(a.json.data).toEqual(b.json.data);
    first.upload.destroy();
    copy.destroy();
    await expectAllReleased();

    // Malformed: the file before the operations.
    const misordered = Buffer.from(
      `--${BOUNDARY}\r\nContent-Disposition: form-data; name="0"; filename="c.bin"\r\n\r\n` +
        `${'x'.repeat(1000)}\r\n--${BOUNDARY}--\r\n`,
    );
    const malformed = new RawUpload(stack.gateway.graphqlUrl, {
      localAddress: '127.0.0.12',
      contentLength: misordered.length,
    });
    await malformed.write(misordered);
    expect(extensionsOf(await malformed.answer)).toMatchObject({ code: 'BAD_USER_INPUT' });
    malformed.destroy();
    await expectAllReleased();
  });

  itLeaksNoSecrets(() => [stack]);
});

describe('upload budget behind a proxy (trustProxy)', () => {
  let stack: Stack;

  beforeAll(async () => {
    stack = await startStack({ gateway: { maxUploadsPerIp: 1, trustProxy: 'loopback' } });
  });
  afterAll(async () => {
    await stack.close();
  });

  it('counts per forwarded client, as the rate limit does', async () => {
    const from = async (client: string) => {
      const { capsule, transactionId } = await capture(stack);
      const pieces = multipartPieces(transactionId, capsule.byteLength);
      const upload = new RawUpload(stack.gateway.graphqlUrl, {
        contentLength: pieces.length,
        headers: { 'X-Forwarded-For': client },
      });
      await upload.write(pieces.head);
      return { upload, rest: Buffer.concat([capsule, pieces.tail]) };
    };
    const first = await from('203.0.113.1');
    const other = await from('203.0.113.2');
    await until(async () => (await budgetOf(stack)).active === 2, 'one upload per client');
    const again = await from('203.0.113.1');
    expectRefusal(await again.upload.answer);
    for (const held of [first, other]) {
      await held.upload.write(held.rest);
      expect(decisionOf(await held.upload.answer)).toBe('ACCEPT');
    }
    for (const held of [first, other, again]) held.upload.destroy();
  });
});

describe('upload deadline (in process)', () => {
  const TIMEOUT_MS = 1_000;
  let stack: Stack;
  let spool: string;
  const previousTmp = process.env.TMPDIR;
  const spooled = () => readdirSync(spool).filter((name) => name.startsWith('capacitor-'));

  beforeAll(async () => {
    spool = mkdtempSync(join(tmpdir(), 'oz-gateway-deadline-'));
    process.env.TMPDIR = spool;
    stack = await startStack({ gateway: { uploadTimeoutMs: TIMEOUT_MS } });
  });
  afterAll(async () => {
    await stack.close();
    if (previousTmp === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = previousTmp;
    rmSync(spool, { recursive: true, force: true });
  });
  beforeEach(async () => {
    await stack.sandbox.control.reset();
  });

  function expectTimeout(answer: HttpAnswer) {
    expect(answer.status).toBe(408);
    expect(extensionsOf(answer)).toEqual({
      code: 'UPLOAD_TIMEOUT',
      retry: 'UPLOAD',
      timeoutMs: TIMEOUT_MS,
    });
  }

  it('a capsule still arriving at the deadline: 408 UPLOAD_TIMEOUT, temp file removed at once, Oz never called', async () => {
    const held = await heldUpload(stack, '127.0.0.20', MiB);
    await held.upload.write(held.capsule.subarray(0, MiB / 2));
    await until(() => spooled().some((f) => statSync(join(spool, f)).size > 0), 'bytes on disk');

    expectTimeout(await held.upload.answer);
    // Gone while the client is still connected: not left for the connection's end.
    await until(() => spooled().length === 0, 'the temp file to go', 500);
    expect(held.upload.socket.destroyed).toBe(false);
    expect(await budgetOf(stack)).toEqual({ active: 0, reserved: 0, spooled: 0 });
    // The client never sends the rest: the gateway lets the connection go by itself.
    await held.upload.closed;
    expect(await capsulePosts(stack)).toHaveLength(0);
    expect(await metric(stack, 'oz_liveness_upload_timeouts_total')).toBe(1);

    // The element's retry: the same capsule and transactionId, this time in time.
    const pieces = multipartPieces(held.transactionId, held.capsule.byteLength);
    const retry = new RawUpload(stack.gateway.graphqlUrl, { contentLength: pieces.length });
    await retry.write(Buffer.concat([pieces.head, held.capsule, pieces.tail]));
    expect(decisionOf(await retry.answer)).toBe('ACCEPT');
    retry.destroy();
    expect(await capsulePosts(stack)).toHaveLength(1);
  });

  it('cuts a request stalled before its file part (and before its operations) too', async () => {
    const { capsule, transactionId } = await capture(stack);
    const pieces = multipartPieces(transactionId, capsule.byteLength);
    const beforeFile = new RawUpload(stack.gateway.graphqlUrl, { contentLength: pieces.length });
    await beforeFile.write(pieces.head.subarray(0, pieces.head.indexOf('name="0"')));
    const beforeOperations = new RawUpload(stack.gateway.graphqlUrl, {
      contentLength: pieces.length,
    });
    await beforeOperations.write(pieces.head.subarray(0, 80));

    expectTimeout(await beforeFile.answer);
    expectTimeout(await beforeOperations.answer);
    beforeFile.destroy();
    beforeOperations.destroy();
    await until(async () => (await budgetOf(stack)).active === 0, 'the budget to empty');
    expect(spooled()).toEqual([]);
    expect(await capsulePosts(stack)).toHaveLength(0);
    // Nothing the operation did after its upload failed was logged as a server fault.
    expect(stack.logLines.filter((line) => JSON.parse(line).level >= 50)).toEqual([]);
  });

  it('an operation that failed before its upload was read is cut at the deadline, answered once', async () => {
    // The resolver refuses the transactionId at once, but graphql-upload holds Apollo's answer
    // until the request ends; the deadline answers first and Apollo's answer is dropped.
    const pieces = multipartPieces('not-a-uuid', 64 * 1024);
    const upload = new RawUpload(stack.gateway.graphqlUrl, { contentLength: pieces.length });
    await upload.write(pieces.head);
    expectTimeout(await upload.answer);
    await upload.closed;
    // Still alive and answering after Apollo's late answer had nowhere to go.
    expect((await fetch(`${stack.gateway.url}/healthz`)).status).toBe(200);
    expect(stack.logLines.filter((line) => JSON.parse(line).level >= 50)).toEqual([]);
  });

  itLeaksNoSecrets(() => [stack]);
});
