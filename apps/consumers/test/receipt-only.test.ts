// A backend that installs the published @oz-liveness/gateway (packed tarballs, npm, a folder
// outside the workspace) and verifies a receipt with `@oz-liveness/gateway/receipt` alone:
// the entry resolves from the tarball, verifies what the gateway signs, refuses what it must,
// and loads no Apollo, Express, GraphQL or Redis code although they are installed next to it.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { bindingHash, signReceipt } from '@oz-liveness/gateway/receipt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { packWorkspacePackages } from '../src/pack-workspace.js';
import { makeTempApp, npmInstall, type TempApp } from '../src/temp-app.js';

const run = promisify(execFile);
const FIXTURE = new URL('../fixtures/receipt-only/', import.meta.url);
const SECRET = 'a-receipt-secret-of-at-least-32-bytes!';
const BINDING = 'signup-session-4711';

let app: TempApp;
let tarballs: string;

beforeAll(async () => {
  tarballs = await mkdtemp(join(tmpdir(), 'oz-consumer-tarballs-'));
  // The gateway needs its oz-client at the same (unpublished) version: both tarballs, as a
  // registry install would fetch both.
  const specs = await packWorkspacePackages(['gateway', 'oz-client'], tarballs);
  app = await makeTempApp('receipt', { name: 'receipt-consumer', private: true, type: 'module' });
  await npmInstall(app.dir, specs, { ignoreScripts: true });
  await cp(FIXTURE, app.dir, { recursive: true });
});

afterAll(async () => {
  await app?.remove();
  if (tarballs) await rm(tarballs, { recursive: true, force: true });
});

describe('a Node backend with only @oz-liveness/gateway/receipt', () => {
  it('verifies a gateway receipt once, refuses the wrong session, a forgery and a replay, and loads no Apollo', async () => {
    const receipt = await signReceipt(
      {
        tid: 'tx-consumer-1',
        fid: 'folder-1',
        decision: 'ACCEPT',
        rs: 'FINISHED',
        sr: 'SUCCESS',
        bnd: await bindingHash(BINDING),
      },
      SECRET,
    );
    const { stdout } = await run(
      process.execPath,
      ['verify-receipt.mjs', receipt, SECRET, BINDING],
      {
        cwd: app.dir,
      },
    );
    const outcome = JSON.parse(stdout) as {
      otherBinding: { ok: boolean; code?: string };
      tampered: { ok: boolean; code?: string };
      first: { ok: boolean; claims?: { tid: string; decision: string } };
      replayed: { ok: boolean; code?: string };
      modules: string[];
    };

    expect(outcome.otherBinding).toEqual({ ok: false, code: 'RECEIPT_BINDING_MISMATCH' });
    expect(outcome.tampered).toEqual({ ok: false, code: 'RECEIPT_INVALID' });
    expect(outcome.first.ok).toBe(true);
    expect(outcome.first.claims).toMatchObject({ tid: 'tx-consumer-1', decision: 'ACCEPT' });
    expect(outcome.replayed).toEqual({ ok: false, code: 'RECEIPT_REPLAYED' });

    // The entry came from the installed tarball, not from the workspace.
    const installed = pathToFileURL(join(app.dir, 'node_modules/@oz-liveness/gateway/')).href;
    expect(outcome.modules).toContain(`${installed}dist/receipt.js`);
    expect(outcome.modules.filter((url) => url.includes('/work/'))).toEqual([]);
    // Installed (the gateway depends on them), yet none was loaded.
    for (const dependency of ['@apollo/server', 'express', 'graphql', 'ioredis'])
      expect(existsSync(join(app.dir, 'node_modules', dependency))).toBe(true);
    const heavy = outcome.modules.filter((url) =>
      /\/node_modules\/(@apollo|@as-integrations|express|graphql|graphql-upload|ioredis)\//.test(
        url,
      ),
    );
    expect(heavy).toEqual([]);
  });
});
