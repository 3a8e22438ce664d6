// GatewayClient against a small real HTTP server answering what a gateway, a proxy or a
// misconfigured URL would.
import { expect } from '@open-wc/testing';
import { oz, ozConfig } from '../test/browser/oz-env.js';
import type { LivenessError } from './errors.js';
import { GatewayClient } from './gateway-client.js';

const capsule = new Blob([new Uint8Array(300 * 1024).fill(7)], {
  type: 'application/octet-stream',
});

async function client(): Promise<GatewayClient> {
  return new GatewayClient((await ozConfig()).scriptedGatewayUrl);
}
const script = (steps: unknown[]) => oz('scripted.script', { steps });

describe('GatewayClient', () => {
  beforeEach(() => oz('scripted.reset'));

  it('reads a session token', async () => {
    const token = await (await client()).sessionToken();
    expect(token.token).to.equal('scripted-token-1');
    expect(token.transactionId).to.equal('tx-1');
    expect(token.expiresAt.getTime()).to.be.greaterThan(Date.now() + 800_000);
  });

  it('maps answers that are not GraphQL by their status', async () => {
    const c = await client();
    const cases: Array<[unknown, 'token' | 'submit', string, string]> = [
      [
        { operation: 'sessionToken', status: 404, body: 'Not Found', contentType: 'text/plain' },
        'token',
        'SESSION_TOKEN_FAILED',
        'CAPTURE',
      ],
      [
        {
          operation: 'sessionToken',
          status: 502,
          body: '<html>Bad gateway</html>',
          contentType: 'text/html',
        },
        'token',
        'NETWORK',
        'UPLOAD',
      ],
      [
        { operation: 'sessionToken', status: 200, body: '{"data":{"sessionToken":null}}' },
        'token',
        'SESSION_TOKEN_FAILED',
        'CAPTURE',
      ],
      [
        {
          operation: 'submitCapsule',
          status: 413,
          body: 'Payload Too Large',
          contentType: 'text/plain',
        },
        'submit',
        'CAPSULE_TOO_LARGE',
        'CAPTURE',
      ],
      [{ operation: 'submitCapsule', status: 429, body: '' }, 'submit', 'RATE_LIMITED', 'UPLOAD'],
      [{ operation: 'submitCapsule', status: 503, body: 'down' }, 'submit', 'NETWORK', 'UPLOAD'],
      [{ operation: 'submitCapsule', status: 408, body: '' }, 'submit', 'UPLOAD_TIMEOUT', 'UPLOAD'],
      [
        {
          operation: 'submitCapsule',
          status: 200,
          body: '{"data":{"submitCapsule":{"decision":"MAYBE"}}}',
        },
        'submit',
        'INTERNAL_SERVER_ERROR',
        'NONE',
      ],
    ];
    for (const [step, call, code, retry] of cases) {
      await script([step]);
      const error = await (call === 'token'
        ? c.sessionToken()
        : c.submitCapsule(capsule, 'tx')
      ).catch((e: LivenessError) => e);
      expect(error, JSON.stringify(step)).to.include({ code, retry });
    }
  });

  it('passes the gateway codes through, keeps hints, and hides unknown codes behind a fallback', async () => {
    const c = await client();
    await script([
      {
        operation: 'sessionToken',
        errors: [
          {
            message: 'slow down',
            extensions: { code: 'RATE_LIMITED', retry: 'UPLOAD', retryAfterSeconds: 7 },
          },
        ],
      },
      {
        operation: 'sessionToken',
        errors: [{ message: 'no auth', extensions: { code: 'OZ_AUTH_FAILED', retry: 'NONE' } }],
      },
      {
        operation: 'sessionToken',
        errors: [
          { message: 'Cannot query field', extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } },
        ],
      },
      {
        operation: 'submitCapsule',
        status: 400,
        errors: [{ message: 'bad', extensions: { code: 'BAD_USER_INPUT', retry: 'NONE' } }],
      },
    ]);
    expect(await c.sessionToken().catch((e) => e)).to.include({
      code: 'RATE_LIMITED',
      retry: 'UPLOAD',
      retryAfterMs: 7000,
    });
    expect(await c.sessionToken().catch((e) => e)).to.include({
      code: 'OZ_AUTH_FAILED',
      retry: 'NONE',
    });
    expect(await c.sessionToken().catch((e) => e)).to.include({
      code: 'SESSION_TOKEN_FAILED',
      message: 'Cannot query field',
    });
    expect(await c.submitCapsule(capsule, 'tx').catch((e) => e)).to.include({
      code: 'BAD_USER_INPUT',
      retry: 'NONE',
    });
  });

  it('passes UPLOAD_TIMEOUT and SERVICE_UNAVAILABLE through as retry UPLOAD, with the wait asked for', async () => {
    const c = await client();
    await script([
      {
        operation: 'submitCapsule',
        status: 408,
        errors: [{ message: 'slow', extensions: { code: 'UPLOAD_TIMEOUT', retry: 'UPLOAD' } }],
      },
      {
        operation: 'submitCapsule',
        status: 503,
        headers: { 'retry-after': '2' },
        errors: [
          {
            message: 'busy',
            extensions: { code: 'SERVICE_UNAVAILABLE', retry: 'UPLOAD', retryAfterSeconds: 2 },
          },
        ],
      },
    ]);
    expect(await c.submitCapsule(capsule, 'tx').catch((e) => e)).to.include({
      code: 'UPLOAD_TIMEOUT',
      retry: 'UPLOAD',
    });
    expect(await c.submitCapsule(capsule, 'tx').catch((e) => e)).to.include({
      code: 'SERVICE_UNAVAILABLE',
      retry: 'UPLOAD',
      retryAfterMs: 2000,
    });
  });

  it('reports upload progress up to the whole request body', async () => {
    const c = await client();
    const progress: Array<{ loaded: number; total: number }> = [];
    const result = await c.submitCapsule(capsule, 'tx-42', { onProgress: (p) => progress.push(p) });
    expect(result.transactionId).to.equal('tx-42');
    const last = progress.at(-1);
    expect(last?.loaded).to.equal(last?.total);
    expect(last?.total).to.be.greaterThan(capsule.size);
  });

  it('aborts an upload with an AbortError', async () => {
    const c = await client();
    await script([{ operation: 'submitCapsule', delayMs: 2000 }]);
    const abort = new AbortController();
    const upload = c.submitCapsule(capsule, 'tx', { signal: abort.signal });
    setTimeout(() => abort.abort(), 100);
    expect(((await upload.catch((e: DOMException) => e)) as DOMException).name).to.equal(
      'AbortError',
    );
  });
});
