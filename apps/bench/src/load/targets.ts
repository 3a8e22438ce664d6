import { randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import { capsulePrefix } from '../bench-capsule.js';
import { benchTransactionId } from '../bench-transactions.js';

/**
 * The four things a figure is measured against, and the exact request each one takes. The wire
 * and the bare proxy speak the Oz API; naive and ours speak the gateway's GraphQL, and get the
 * very same GraphQL request.
 */
export type TargetName = 'ours' | 'wire' | 'spool' | 'bare' | 'naive';

export const TARGET_ORDER: readonly TargetName[] = ['ours', 'wire', 'spool', 'bare', 'naive'];

export const TARGET_LABELS: Record<TargetName, string> = {
  ours: 'ours (@oz-liveness/gateway)',
  wire: 'wire (undici → upstream)',
  spool: 'spool proxy (node:http → temp file → undici)',
  bare: 'bare proxy (node:http + undici)',
  naive: 'naive (Apollo + graphql-upload, Buffer)',
};

/** The proxies and the wire take the Oz API's own requests; the gateways take GraphQL. */
export function protocolOf(name: TargetName): Target['protocol'] {
  return name === 'ours' || name === 'naive' ? 'graphql' : 'oz';
}

export interface Target {
  name: TargetName;
  /** Origin, e.g. http://127.0.0.1:41234 */
  origin: string;
  protocol: 'oz' | 'graphql';
}

export interface PreparedRequest {
  method: 'GET' | 'POST';
  path: string;
  headers: Record<string, string>;
  body?: string | Buffer | Readable;
}

const GRAPHQL_PATH = '/graphql';

export const SESSION_TOKEN_QUERY =
  'query SessionToken { sessionToken { token expiresAt transactionId } }';

const SUBMIT_MUTATION =
  'mutation SubmitCapsule($capsule: Upload!, $transactionId: ID!) { submitCapsule(capsule: $capsule, transactionId: $transactionId) { transactionId folderId resolutionStatus systemResolution decision analyses { id type resolutionStatus } receipt } }';

export function sessionTokenRequest(target: Target, accessToken: string): PreparedRequest {
  if (target.protocol === 'oz') {
    return {
      method: 'GET',
      path: '/api/authorize/session_token',
      headers: { 'x-forensic-access-token': accessToken },
    };
  }
  return {
    method: 'POST',
    path: GRAPHQL_PATH,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ operationName: 'SessionToken', query: SESSION_TOKEN_QUERY }),
  };
}

/** True when a 2xx body really carries a session token (GraphQL errors come back as 200). */
export function isSessionTokenAnswer(target: Target, status: number, body: string): boolean {
  if (status < 200 || status > 299) return false;
  return target.protocol === 'oz'
    ? body.includes('"session_token"')
    : body.includes('"token"') && !body.includes('"errors"');
}

/**
 * One capsule upload (a fresh transaction): raw octet-stream for Oz, a GraphQL multipart request
 * for gateways. The capsule is the per-transaction prefix plus the shared `capsuleBody`.
 */
export function submitRequest(
  target: Target,
  capsuleBody: Buffer,
  accessToken: string,
): PreparedRequest & { capsuleLength: number } {
  const transactionId = benchTransactionId();
  const prefix = capsulePrefix(transactionId);
  const capsuleLength = prefix.length + capsuleBody.length;
  if (target.protocol === 'oz') {
    return {
      method: 'POST',
      path: '/api/instant/folders/',
      headers: {
        'x-forensic-access-token': accessToken,
        'content-type': 'application/octet-stream',
        'content-length': String(capsuleLength),
      },
      body: Readable.from([prefix, capsuleBody], { objectMode: false }),
      capsuleLength,
    };
  }
  const boundary = `----oz-bench-${randomUUID()}`;
  const operations = JSON.stringify({
    operationName: 'SubmitCapsule',
    query: SUBMIT_MUTATION,
    variables: { capsule: null, transactionId },
  });
  const head = Buffer.from(
    `--${boundary}\r\nContent-Disposition: form-data; name="operations"\r\n\r\n${operations}\r\n` +
      `--${boundary}\r\nContent-Disposition: form-data; name="map"\r\n\r\n{"0":["variables.capsule"]}\r\n` +
      `--${boundary}\r\nContent-Disposition: form-data; name="0"; filename="capsule.bin"\r\n` +
      'Content-Type: application/octet-stream\r\n\r\n',
  );
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
  const bodyLength = head.length + capsuleLength + tail.length;
  return {
    method: 'POST',
    path: GRAPHQL_PATH,
    headers: {
      'content-type': `multipart/form-data; boundary=${boundary}`,
      'content-length': String(bodyLength),
      // GraphQL multipart spec + Apollo CSRF prevention, exactly as the element sends it.
      'apollo-require-preflight': 'true',
    },
    // Streamed from the shared capsule buffer: the load driver copies nothing per request.
    body: Readable.from([head, prefix, capsuleBody, tail], { objectMode: false }),
    capsuleLength,
  };
}

/** True when the answer is a real verdict for the capsule, not an error. */
export function isSubmitAnswer(target: Target, status: number, body: string): boolean {
  if (target.protocol === 'oz') return status === 201 && body.includes('"folder_id"');
  return status === 200 && body.includes('"folderId"') && !body.includes('"errors"');
}
