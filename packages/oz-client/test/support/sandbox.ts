import { createHash } from 'node:crypto';
import { type RunningSandbox, type SandboxOptions, startSandbox } from '@oz-liveness/sandbox';
import { afterAll, afterEach, beforeAll, beforeEach } from 'vitest';
import { OzClient, type OzClientOptions } from '../../src/index.js';

/** Distinctive credentials, so the secret scans below can search for them. */
export const CREDENTIALS = {
  email: 'oz-client-test@example.com',
  password: 'pw-7f3b9c1e-never-echo-me',
};

export interface SandboxFixture {
  readonly sandbox: RunningSandbox;
  /** A client against this sandbox; closed after the test. */
  client(options?: Partial<OzClientOptions>): OzClient;
  /** A client using the login strategy with CREDENTIALS. */
  loginClient(options?: Partial<OzClientOptions>): OzClient;
}

/**
 * One real sandbox per test file on 127.0.0.1:0, reset before each test, and the clients a test
 * creates closed after it.
 */
export function useSandbox(options: SandboxOptions = {}): SandboxFixture {
  let sandbox: RunningSandbox | undefined;
  const clients: OzClient[] = [];

  beforeAll(async () => {
    sandbox = await startSandbox({ credentials: CREDENTIALS, ...options });
  });
  afterAll(async () => {
    await sandbox?.close();
  });
  beforeEach(async () => {
    await sandbox!.control.reset();
  });
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((client) => client.close()));
  });

  const fixture: SandboxFixture = {
    get sandbox() {
      if (!sandbox) throw new Error('sandbox not started');
      return sandbox;
    },
    client(clientOptions = {}) {
      const client = new OzClient({ baseUrl: fixture.sandbox.url, ...clientOptions });
      clients.push(client);
      return client;
    },
    loginClient(clientOptions = {}) {
      return fixture.client({ auth: { kind: 'login', ...CREDENTIALS }, ...clientOptions });
    },
  };
  return fixture;
}

export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** Runs `work` and returns what it threw (fails the test if it did not throw). */
export async function thrown(work: () => Promise<unknown>): Promise<unknown> {
  try {
    await work();
  } catch (error) {
    return error;
  }
  throw new Error('expected the call to throw');
}
