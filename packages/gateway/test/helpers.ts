import { Writable } from 'node:stream';
import type { SandboxOptions } from '@oz-liveness/sandbox';
import { createTestContainer, type RunningSandbox, startSandbox } from '@oz-liveness/sandbox';
import { pino } from 'pino';
import { FormData, fetch } from 'undici';
import {
  type GatewayServerOptions,
  type RunningGateway,
  startGatewayServer,
} from '../src/index.js';

export const SANDBOX_EMAIL = 'sandbox@example.com';
export const SANDBOX_PASSWORD = 'sandbox-password-for-gateway-tests';
/** The receipt secret of every `startStack` gateway unless a test gives its own. */
export const TEST_RECEIPT_SECRET = 'test-receipt-secret-that-is-32-bytes-long!';

export const SESSION_TOKEN_QUERY = 'query { sessionToken { token expiresAt transactionId } }';
export const SUBMIT_MUTATION = `mutation Submit($capsule: Upload!, $transactionId: ID!) {
  submitCapsule(capsule: $capsule, transactionId: $transactionId) {
    transactionId folderId resolutionStatus systemResolution decision
    analyses { id type resolutionStatus }
    receipt
  }
}`;

export interface GraphQLBody {
  data?: Record<string, unknown> | null;
  errors?: Array<{ message: string; extensions?: Record<string, unknown> }>;
}

export interface Answer {
  status: number;
  headers: Headers;
  text: string;
  body: GraphQLBody;
}

/**
 * Everything the suite saw leave the gateway: response bodies and headers, log lines. The
 * secrets check greps it; `allowed` marks the one session token a response may carry.
 */
export class Recorder {
  readonly entries: Array<{ text: string; allowed: string[] }> = [];
  readonly sessionTokens = new Set<string>();

  record(text: string, allowed: string[] = []): void {
    this.entries.push({ text, allowed });
  }

  /** Secrets found where they must not be, as readable findings (empty = clean). */
  leaks(secrets: string[]): string[] {
    const findings: string[] = [];
    for (const { text, allowed } of this.entries) {
      for (const secret of [...secrets, ...this.sessionTokens]) {
        if (secret && !allowed.includes(secret) && text.includes(secret)) {
          findings.push(`${secret.slice(0, 6)}… in: ${text.slice(0, 200)}`);
        }
      }
    }
    return findings;
  }
}

/** A pino logger writing JSON lines into the recorder (and kept for assertions). */
export function memoryLogger(recorder: Recorder, lines: string[] = []) {
  const stream = new Writable({
    write(chunk, _encoding, callback) {
      for (const line of String(chunk).split('\n')) {
        if (!line) continue;
        lines.push(line);
        recorder.record(line);
      }
      callback();
    },
  });
  return { logger: pino({ level: 'debug' }, stream), lines };
}

export interface Stack {
  sandbox: RunningSandbox;
  gateway: RunningGateway;
  recorder: Recorder;
  logLines: string[];
  close(): Promise<void>;
}

export async function startStack(
  options: {
    sandbox?: SandboxOptions;
    gateway?: Partial<GatewayServerOptions>;
    recorder?: Recorder;
  } = {},
): Promise<Stack> {
  const recorder = options.recorder ?? new Recorder();
  const sandbox = await startSandbox({
    credentials: { email: SANDBOX_EMAIL, password: SANDBOX_PASSWORD },
    ...options.sandbox,
  });
  const { logger, lines } = memoryLogger(recorder);
  const gateway = await startGatewayServer({
    ozApiUrl: sandbox.url,
    auth: { kind: 'login', email: SANDBOX_EMAIL, password: SANDBOX_PASSWORD },
    receiptSecret: TEST_RECEIPT_SECRET,
    capsuleMaxBytes: 2 * 1024 * 1024,
    rateLimitPerMin: 1000,
    processMetrics: false,
    logger,
    ...options.gateway,
  });
  return {
    sandbox,
    gateway,
    recorder,
    logLines: lines,
    async close() {
      await gateway.close();
      await sandbox.close();
    },
  };
}

async function answer(recorder: Recorder, response: Response | import('undici').Response) {
  const text = await response.text();
  let body: GraphQLBody = {};
  try {
    body = JSON.parse(text) as GraphQLBody;
  } catch {
    // Not JSON (e.g. a landing page): keep the text.
  }
  const token = (body.data?.sessionToken as { token?: string } | undefined)?.token;
  if (token) recorder.sessionTokens.add(token);
  const headers = new Headers(response.headers as unknown as Headers);
  recorder.record(
    `${response.status} ${JSON.stringify([...headers.entries()])} ${text}`,
    token ? [token] : [],
  );
  return { status: response.status, headers, text, body } satisfies Answer;
}

/** A JSON GraphQL POST, recorded. */
export async function postJson(
  stack: Stack,
  payload: unknown,
  headers: Record<string, string> = {},
): Promise<Answer> {
  const response = await fetch(stack.gateway.graphqlUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof payload === 'string' ? payload : JSON.stringify(payload),
  });
  return answer(stack.recorder, response);
}

/** `sessionToken` through the gateway; throws unless it succeeded. */
export async function sessionToken(stack: Stack, headers: Record<string, string> = {}) {
  const a = await postJson(stack, { query: SESSION_TOKEN_QUERY }, headers);
  const data = a.body.data?.sessionToken as
    | { token: string; expiresAt: string; transactionId: string }
    | undefined;
  if (!data) throw new Error(`sessionToken failed: ${a.text}`);
  return { ...data, answer: a };
}

/** The multipart form of a `submitCapsule` request (GraphQL multipart request spec). */
export function capsuleForm(capsule: Uint8Array, transactionId: string): FormData {
  const form = new FormData();
  form.append(
    'operations',
    JSON.stringify({ query: SUBMIT_MUTATION, variables: { capsule: null, transactionId } }),
  );
  form.append('map', JSON.stringify({ 0: ['variables.capsule'] }));
  form.append('0', new Blob([capsule], { type: 'application/octet-stream' }), 'capsule.bin');
  return form;
}

/** A multipart `submitCapsule`, recorded. */
export async function submitCapsule(
  stack: Stack,
  capsule: Uint8Array,
  transactionId: string,
  headers: Record<string, string> = { 'apollo-require-preflight': 'true' },
): Promise<Answer> {
  const response = await fetch(stack.gateway.graphqlUrl, {
    method: 'POST',
    headers,
    body: capsuleForm(capsule, transactionId),
  });
  return answer(stack.recorder, response);
}

/** A raw POST with any body and headers, recorded. */
export async function postRaw(
  stack: Stack,
  body: string | Uint8Array,
  headers: Record<string, string>,
): Promise<Answer> {
  const response = await fetch(stack.gateway.graphqlUrl, { method: 'POST', headers, body });
  return answer(stack.recorder, response);
}

/** A real sandbox container of exactly `size` bytes for a session token (the clip is padded). */
export async function containerOfSize(
  size: number,
  input: { sessionToken: string; transactionId?: string },
): Promise<Uint8Array> {
  const probe = await createTestContainer({ ...input, clip: new Uint8Array(16) });
  const overhead = probe.byteLength - 16;
  if (size <= overhead) throw new Error(`a container needs more than ${overhead} bytes`);
  const clip = new Uint8Array(size - overhead);
  for (let i = 0; i < clip.length; i += 65536) {
    crypto.getRandomValues(clip.subarray(i, Math.min(i + 65536, clip.length)));
  }
  const container = await createTestContainer({ ...input, clip });
  if (container.byteLength !== size) throw new Error('container size drifted');
  return container;
}

/** A fresh token, its transactionId and a valid container carrying both. */
export async function capture(stack: Stack, size?: number) {
  const token = await sessionToken(stack);
  const capsule =
    size === undefined
      ? await createTestContainer({ sessionToken: token.token, transactionId: token.transactionId })
      : await containerOfSize(size, {
          sessionToken: token.token,
          transactionId: token.transactionId,
        });
  return { token, capsule, transactionId: token.transactionId };
}

/** POSTs of capsules the sandbox received. */
export async function capsulePosts(stack: Stack) {
  return (await stack.sandbox.control.requests()).filter(
    (r) => r.method === 'POST' && r.path.endsWith('/folders/'),
  );
}

export function errorOf(a: Answer) {
  const error = a.body.errors?.[0];
  return { code: error?.extensions?.code, retry: error?.extensions?.retry, error };
}

/**
 * A raw HTTP request whose headers may lie (e.g. a huge Content-Length) and whose body is sent
 * only in part; resolves with the answer (recorded) or `null` if the connection was cut first.
 */
export async function rawRequest(
  stack: Stack,
  headers: Record<string, string>,
  bodyPart: string | Uint8Array,
): Promise<{ status: number; text: string } | null> {
  const { request } = await import('node:http');
  return new Promise((resolve) => {
    const req = request(stack.gateway.graphqlUrl, { method: 'POST', headers }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk) => {
        text += chunk;
      });
      res.on('end', () => {
        stack.recorder.record(`${res.statusCode} ${JSON.stringify(res.headers)} ${text}`);
        req.destroy();
        resolve({ status: res.statusCode ?? 0, text });
      });
    });
    req.on('error', () => resolve(null));
    req.write(bodyPart);
  });
}
