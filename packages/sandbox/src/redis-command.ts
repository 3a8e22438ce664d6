import { connect } from 'node:net';

/** A RESP reply: an error reply resolves as an `Error` value rather than rejecting. */
export type RedisReply = string | number | null | Error | RedisReply[];

/**
 * Sends one command to a Redis (or Sentinel) on 127.0.0.1 and resolves with its reply, on a
 * connection of its own that is closed afterwards. Enough for the test helpers' readiness checks
 * (CLUSTER INFO, ROLE, SENTINEL …) without making the sandbox depend on a Redis client library.
 * Rejects when the port refuses or nothing complete arrives within `timeoutMs`.
 */
export function redisCommand(port: number, args: string[], timeoutMs = 2_000): Promise<RedisReply> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port });
    let buffer = Buffer.alloc(0);
    const finish = (error: Error | undefined, reply?: RedisReply) => {
      clearTimeout(timer);
      socket.destroy();
      if (error) reject(error);
      else resolve(reply ?? null);
    };
    const timer = setTimeout(
      () => finish(new Error(`no answer from 127.0.0.1:${port} to ${args[0]}`)),
      timeoutMs,
    );
    socket.once('error', (error) => finish(error));
    socket.on('data', (chunk: Buffer) => {
      buffer = Buffer.concat([buffer, chunk]);
      try {
        const parsed = parseReply(buffer, 0);
        if (parsed) finish(undefined, parsed.reply);
      } catch (error) {
        finish(error as Error);
      }
    });
    socket.write(
      `*${args.length}\r\n${args.map((a) => `$${Buffer.byteLength(a)}\r\n${a}\r\n`).join('')}`,
    );
  });
}

/** Parses the reply starting at `at`; `undefined` while it has not fully arrived. */
function parseReply(buffer: Buffer, at: number): { reply: RedisReply; end: number } | undefined {
  const lineEnd = buffer.indexOf('\r\n', at);
  if (lineEnd < 0) return undefined;
  const type = String.fromCharCode(buffer[at] ?? 0);
  const line = buffer.toString('utf8', at + 1, lineEnd);
  const next = lineEnd + 2;
  switch (type) {
    case '+':
      return { reply: line, end: next };
    case '-':
      return { reply: new Error(line), end: next };
    case ':':
      return { reply: Number(line), end: next };
    case '$': {
      const length = Number(line);
      if (length < 0) return { reply: null, end: next };
      if (buffer.length < next + length + 2) return undefined;
      return { reply: buffer.toString('utf8', next, next + length), end: next + length + 2 };
    }
    case '*': {
      const count = Number(line);
      if (count < 0) return { reply: null, end: next };
      const items: RedisReply[] = [];
      let end = next;
      for (let i = 0; i < count; i += 1) {
        const item = parseReply(buffer, end);
        if (!item) return undefined;
        items.push(item.reply);
        end = item.end;
      }
      return { reply: items, end };
    }
    default:
      throw new Error(`unexpected RESP type ${JSON.stringify(type)}`);
  }
}
