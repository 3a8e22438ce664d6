import { createTestContainer } from '@oz-liveness/sandbox';
import { type Dispatcher, FormData, fetch } from 'undici';

export const SESSION_TOKEN_QUERY = 'query { sessionToken { token expiresAt transactionId } }';
export const SUBMIT_MUTATION = `mutation Submit($capsule: Upload!, $transactionId: ID!) {
  submitCapsule(capsule: $capsule, transactionId: $transactionId) {
    transactionId folderId resolutionStatus systemResolution decision
    analyses { id type resolutionStatus }
    receipt
  }
}`;

export interface GraphQLError {
  message: string;
  extensions?: { code?: string; retry?: string; [key: string]: unknown };
}

export interface LivenessResult {
  transactionId: string;
  folderId: string;
  resolutionStatus: string;
  systemResolution: string;
  decision: string;
  analyses: Array<{ id: string; type: string; resolutionStatus: string }>;
  receipt: string;
}

export interface Answer<T> {
  status: number;
  data: T | undefined;
  error: GraphQLError | undefined;
  text: string;
}

export interface SessionToken {
  token: string;
  expiresAt: string;
  transactionId: string;
}

async function answer<T>(response: Awaited<ReturnType<typeof fetch>>, field: string) {
  const text = await response.text();
  let body: { data?: Record<string, unknown> | null; errors?: GraphQLError[] } = {};
  try {
    body = JSON.parse(text);
  } catch {
    // Not JSON: the caller asserts on `text` / `status`.
  }
  return {
    status: response.status,
    data: (body.data?.[field] ?? undefined) as T | undefined,
    error: body.errors?.[0],
    text,
  } satisfies Answer<T>;
}

/** `Query.sessionToken` over JSON. */
export async function querySessionToken(
  graphqlUrl: string,
  dispatcher?: Dispatcher,
): Promise<Answer<SessionToken>> {
  const response = await fetch(graphqlUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query: SESSION_TOKEN_QUERY }),
    ...(dispatcher ? { dispatcher } : {}),
  });
  return answer<SessionToken>(response, 'sessionToken');
}

/** `sessionToken`, throwing unless it succeeded. */
export async function sessionToken(
  graphqlUrl: string,
  dispatcher?: Dispatcher,
): Promise<SessionToken> {
  const result = await querySessionToken(graphqlUrl, dispatcher);
  if (!result.data) throw new Error(`sessionToken failed: ${result.status} ${result.text}`);
  return result.data;
}

/** A multipart `submitCapsule` (GraphQL multipart request spec, with the CSRF header). */
export async function submitCapsule(
  graphqlUrl: string,
  capsule: Uint8Array,
  transactionId: string,
  options: { dispatcher?: Dispatcher; signal?: AbortSignal } = {},
): Promise<Answer<LivenessResult>> {
  const form = new FormData();
  form.append(
    'operations',
    JSON.stringify({ query: SUBMIT_MUTATION, variables: { capsule: null, transactionId } }),
  );
  form.append('map', JSON.stringify({ 0: ['variables.capsule'] }));
  form.append('0', new Blob([capsule], { type: 'application/octet-stream' }), 'capsule.bin');
  const response = await fetch(graphqlUrl, {
    method: 'POST',
    headers: { 'apollo-require-preflight': 'true' },
    body: form,
    ...(options.dispatcher ? { dispatcher: options.dispatcher } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
  });
  return answer<LivenessResult>(response, 'submitCapsule');
}

/** Random bytes, filled in the 64 KiB pieces getRandomValues allows. */
export function randomBytes(size: number): Uint8Array {
  const bytes = new Uint8Array(size);
  for (let at = 0; at < size; at += 65_536) {
    crypto.getRandomValues(bytes.subarray(at, Math.min(at + 65_536, size)));
  }
  return bytes;
}

/**
 * A valid sandbox container for this token and transaction, of exactly `size` bytes when given
 * (the clip is padded; `clip` lets many containers share one random clip to save CPU).
 */
export async function containerFor(
  token: SessionToken,
  options: { size?: number; clip?: Uint8Array } = {},
): Promise<Uint8Array> {
  const input = { sessionToken: token.token, transactionId: token.transactionId };
  if (options.size === undefined) return createTestContainer(input);
  const overhead = (await createTestContainer({ ...input, clip: new Uint8Array(0) })).byteLength;
  const clipSize = options.size - overhead;
  const clip = options.clip ? options.clip.subarray(0, clipSize) : randomBytes(clipSize);
  if (clip.byteLength !== clipSize) throw new Error('the shared clip is too small');
  const container = await createTestContainer({ ...input, clip });
  if (container.byteLength !== options.size) throw new Error('container size drifted');
  return container;
}
