import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createOzLivenessGateway, type OzLivenessGateway } from '../src/index.js';
import {
  capture,
  errorOf,
  SANDBOX_EMAIL,
  SANDBOX_PASSWORD,
  type Stack,
  startStack,
  submitCapsule,
} from './helpers.js';

/**
 * No answer leaves a spooled capsule behind: the temp file is gone when the answer is written,
 * not some time after the response closed. Checked at the moment the gateway ends each answer,
 * so the outcome does not depend on how fast anything runs.
 */
describe('spooled capsules are removed before the answer', () => {
  let stack: Stack;
  let gateway: OzLivenessGateway;
  let server: Server;
  let spoolDir: string;
  let previousTmpdir: string | undefined;
  /** Files in the spool folder at each `res.end` of a submitCapsule answer. */
  const atAnswer: string[][] = [];

  beforeAll(async () => {
    stack = await startStack();
    // graphql-upload spools to os.tmpdir(), which reads TMPDIR at every upload.
    spoolDir = mkdtempSync(join(tmpdir(), 'oz-spool-test-'));
    previousTmpdir = process.env.TMPDIR;
    process.env.TMPDIR = spoolDir;
    gateway = createOzLivenessGateway({
      ozApiUrl: stack.sandbox.url,
      auth: { kind: 'login', email: SANDBOX_EMAIL, password: SANDBOX_PASSWORD },
      receiptSecret: 'test-receipt-secret-that-is-32-bytes-long!',
      capsuleMaxBytes: 64 * 1024,
      rateLimitPerMin: 1000,
      processMetrics: false,
      logLevel: 'silent',
    });
    await gateway.start();
    server = createServer((req, res) => {
      if (req.headers['content-type']?.startsWith('multipart/')) {
        const end = res.end.bind(res) as (...args: unknown[]) => typeof res;
        res.end = ((...args: unknown[]) => {
          atAnswer.push(readdirSync(spoolDir));
          return end(...args);
        }) as typeof res.end;
      }
      gateway.handler(req, res);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  });
  afterAll(async () => {
    process.env.TMPDIR = previousTmpdir;
    if (previousTmpdir === undefined) delete process.env.TMPDIR;
    await new Promise<void>((resolve) => server?.close(() => resolve()));
    await gateway?.stop();
    await stack?.close();
    rmSync(spoolDir, { recursive: true, force: true });
  });

  /** The stack's helpers, pointed at this gateway. */
  const viaGateway = (): Stack => {
    const { port } = server.address() as AddressInfo;
    return {
      ...stack,
      gateway: { ...stack.gateway, graphqlUrl: `http://127.0.0.1:${port}/graphql` },
    };
  };

  it('after a verdict, after an Oz failure, after an oversized capsule', async () => {
    const target = viaGateway();
    const accepted = await capture(target);
    const verdict = await submitCapsule(target, accepted.capsule, accepted.transactionId);
    expect(verdict.body.data?.submitCapsule).toMatchObject({ decision: 'ACCEPT' });

    const failing = await capture(target);
    await stack.sandbox.control.injectFault({ kind: 'status', status: 503 });
    const unavailable = await submitCapsule(target, failing.capsule, failing.transactionId);
    expect(errorOf(unavailable).code).toBe('OZ_UNAVAILABLE');

    const large = await capture(target);
    const tooLarge = await submitCapsule(
      target,
      new Uint8Array(64 * 1024 + 1),
      large.transactionId,
    );
    expect(errorOf(tooLarge).code).toBe('CAPSULE_TOO_LARGE');

    expect(atAnswer).toEqual([[], [], []]);
    // A capsule refused before its temp file was even open (64 KiB arrive in one go) leaves
    // fs-capacitor to create the file once open returns and remove it right after: no file is
    // there at the answer, and none stays.
    await vi.waitFor(() => expect(readdirSync(spoolDir)).toEqual([]));
  });
});
