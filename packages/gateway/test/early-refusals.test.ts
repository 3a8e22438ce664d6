import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Stack, startStack } from './helpers.js';

/**
 * Answers sent before the request was read: the client is still sending when the answer comes.
 * Each client here reads the full answer first and only then sends the rest of its request, so
 * the outcome does not depend on timing: a gateway that closes as soon as it has answered
 * (unread bytes in its receive buffer) resets the connection, and the client's further writes
 * fail with EPIPE/ECONNRESET. A lingering close reads and discards them, then ends cleanly.
 */
let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(() => stack?.close());

interface Outcome {
  head: string;
  body: string;
  /** A write or read error after the answer arrived (the reset this suite is about). */
  error?: string;
  /** How the connection ended: the gateway's FIN ('end') or our own timeout. */
  ended: 'end' | 'timeout';
}

/**
 * Sends `first`, reads the whole answer (`Content-Length`, or up to the gateway's FIN), then
 * writes `rest` in 64 KiB pieces and half-closes. Resolves when the connection has ended.
 */
function sendInTwoParts(first: string | Buffer, rest: Buffer): Promise<Outcome> {
  const { port } = new URL(stack.gateway.url);
  return new Promise((resolve) => {
    const socket: Socket = connect(Number(port), '127.0.0.1');
    let received = Buffer.alloc(0);
    let error: string | undefined;
    let restSent = false;
    const timer = setTimeout(() => finish('timeout'), 10_000);
    const finish = (ended: Outcome['ended']) => {
      clearTimeout(timer);
      socket.destroy();
      const text = received.toString('latin1');
      const split = text.indexOf('\r\n\r\n');
      resolve({ head: text.slice(0, split), body: text.slice(split + 4), error, ended });
    };
    const sendRest = () => {
      if (restSent) return;
      restSent = true;
      for (let offset = 0; offset < rest.length; offset += 65_536) {
        socket.write(rest.subarray(offset, offset + 65_536));
      }
      socket.end();
    };
    socket.on('data', (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      if (answerComplete(received)) sendRest();
    });
    socket.on('error', (e: NodeJS.ErrnoException) => {
      error = e.code ?? e.message;
      finish('end');
    });
    socket.on('end', () => {
      // The gateway half-closed after its answer: the rest must still go through unharmed.
      sendRest();
      if (socket.writableFinished) finish('end');
      else socket.once('finish', () => finish('end'));
    });
    socket.write(first);
  });
}

function answerComplete(raw: Buffer): boolean {
  const end = raw.indexOf('\r\n\r\n');
  if (end < 0) return false;
  const length = /\r\ncontent-length:\s*(\d+)/i.exec(raw.subarray(0, end).toString('latin1'));
  return length !== null && raw.length - end - 4 >= Number(length[1]);
}

const status = (outcome: Outcome) => Number(outcome.head.split(' ')[1]);
const code = (outcome: Outcome) =>
  (JSON.parse(outcome.body) as { errors: Array<{ extensions: { code: string } }> }).errors[0]
    ?.extensions.code;

const MiB = 1024 * 1024;
const filler = (bytes: number) => Buffer.alloc(bytes, 0x61);

function multipartHead(headers: Record<string, string>, contentLength: number): string {
  const lines = ['POST /graphql HTTP/1.1', 'Host: 127.0.0.1', `Content-Length: ${contentLength}`];
  for (const [name, value] of Object.entries(headers)) lines.push(`${name}: ${value}`);
  return `${lines.join('\r\n')}\r\n\r\n`;
}

describe('an answer sent before the request was read reaches a client still sending it', () => {
  it('1 MB request line → 431, then the rest of it is read and discarded', async () => {
    const outcome = await sendInTwoParts(`GET /graphql?query=${'a'.repeat(20_000)}`, filler(MiB));
    expect(outcome.error).toBeUndefined();
    expect(status(outcome)).toBe(431);
    expect(outcome.ended).toBe('end');
  });

  it('multipart without Apollo-Require-Preflight → 400 BAD_USER_INPUT, body discarded', async () => {
    const body = filler(2 * MiB);
    const head = multipartHead({ 'Content-Type': 'multipart/form-data; boundary=x' }, body.length);
    const outcome = await sendInTwoParts(head, body);
    expect(outcome.error).toBeUndefined();
    expect([status(outcome), code(outcome)]).toEqual([400, 'BAD_USER_INPUT']);
    expect(outcome.ended).toBe('end');
  });

  it('multipart without a boundary → 400 BAD_USER_INPUT, body discarded', async () => {
    const body = filler(2 * MiB);
    const head = multipartHead(
      { 'Content-Type': 'multipart/form-data', 'Apollo-Require-Preflight': 'true' },
      body.length,
    );
    const outcome = await sendInTwoParts(head, body);
    expect(outcome.error).toBeUndefined();
    expect([status(outcome), code(outcome)]).toEqual([400, 'BAD_USER_INPUT']);
  });

  it('declared Content-Length over the limit → 413 CAPSULE_TOO_LARGE; past the discard bound the gateway half-closes, no reset', async () => {
    // Declares 64 MiB, sends 8 MiB after the answer: twice the gateway's discard bound.
    const head = multipartHead(
      {
        'Content-Type': 'multipart/form-data; boundary=x',
        'Apollo-Require-Preflight': 'true',
      },
      64 * MiB,
    );
    const outcome = await sendInTwoParts(head, filler(8 * MiB));
    expect(outcome.error).toBeUndefined();
    expect([status(outcome), code(outcome)]).toEqual([413, 'CAPSULE_TOO_LARGE']);
    expect(outcome.ended).toBe('end');
  });
});
