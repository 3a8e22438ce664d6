import { createHash } from 'node:crypto';
import { createServer } from 'node:http';

/**
 * A small real GraphQL endpoint for the element's unit tests: it answers like the gateway by
 * default (fresh session token, ACCEPT verdict) and can be scripted to answer anything else
 * (errors, expired tokens, odd statuses, dropped connections). It records what it received.
 */
export async function startScriptedGateway() {
  let script = [];
  let log = [];
  let counter = 0;
  const sockets = new Set();

  const server = createServer((req, res) => {
    // A fresh connection per request: a dropped one is then a failure the page sees, not one
    // the browser quietly retries on another kept-alive socket.
    res.setHeader('connection', 'close');
    res.setHeader('access-control-allow-origin', req.headers.origin ?? '*');
    res.setHeader(
      'access-control-allow-headers',
      'content-type, accept, apollo-require-preflight, traceparent',
    );
    res.setHeader('access-control-allow-methods', 'POST, OPTIONS');
    if (req.method === 'OPTIONS') return res.writeHead(204).end();
    const chunks = [];
    req.on('data', (chunk) => chunks.push(chunk));
    req.on('end', async () => {
      const body = Buffer.concat(chunks);
      const contentType = req.headers['content-type'] ?? '';
      const operation = contentType.startsWith('multipart/') ? 'submitCapsule' : 'sessionToken';
      const entry = {
        operation,
        // When the whole request had arrived (ms since the epoch), to check waits between tries.
        at: Date.now(),
        headers: req.headers,
        bodyLength: body.length,
        ...(operation === 'sessionToken'
          ? { json: JSON.parse(body.toString('utf8') || 'null') }
          : parseMultipart(body, contentType)),
      };
      log.push(entry);
      const index = script.findIndex((step) => step.operation === operation);
      const step = index >= 0 ? script.splice(index, 1)[0] : { operation };
      if (step.delayMs) await new Promise((resolve) => setTimeout(resolve, step.delayMs));
      if (step.destroy) return req.socket.destroy();
      const status = step.status ?? 200;
      const payload =
        step.body !== undefined ? step.body : JSON.stringify(defaultAnswer(operation, step, entry));
      res.writeHead(status, {
        'content-type': step.contentType ?? 'application/json',
        ...step.headers,
      });
      res.end(typeof payload === 'string' ? payload : JSON.stringify(payload));
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });

  function defaultAnswer(operation, step, entry) {
    if (step.errors) return { data: null, errors: step.errors };
    counter += 1;
    if (operation === 'sessionToken') {
      const ttl = step.ttlS ?? 900;
      return {
        data: {
          sessionToken: {
            token: `scripted-token-${counter}`,
            expiresAt: new Date(Date.now() + ttl * 1000).toISOString(),
            transactionId: `tx-${counter}`,
          },
        },
      };
    }
    const decision = step.decision ?? 'ACCEPT';
    return {
      data: {
        submitCapsule: {
          transactionId: entry.operations?.variables?.transactionId ?? '',
          folderId: `folder-${counter}`,
          resolutionStatus: 'FINISHED',
          systemResolution: decision === 'ACCEPT' ? 'SUCCESS' : 'DECLINED',
          decision,
          analyses: [{ id: `a-${counter}`, type: 'QUALITY', resolutionStatus: 'SUCCESS' }],
          receipt: `receipt-${counter}-${decision}`,
        },
      },
    };
  }

  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${server.address().port}`;
  return {
    url,
    graphqlUrl: `${url}/graphql`,
    script(steps) {
      script = [...steps];
    },
    requests: () => log,
    reset() {
      script = [];
      log = [];
      counter = 0;
    },
    close() {
      for (const socket of sockets) socket.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

/** Just enough of multipart/form-data to check the GraphQL multipart request the element sends. */
function parseMultipart(body, contentType) {
  const boundary = /boundary=(?:"([^"]+)"|([^;]+))/.exec(contentType);
  if (!boundary) return { parts: [] };
  const delimiter = Buffer.from(`--${boundary[1] ?? boundary[2]}`);
  const parts = [];
  let start = body.indexOf(delimiter) + delimiter.length;
  while (start > delimiter.length - 1) {
    const next = body.indexOf(delimiter, start);
    if (next < 0) break;
    const part = body.subarray(start + 2, next - 2);
    const split = part.indexOf('\r\n\r\n');
    const headers = part.subarray(0, split).toString('utf8');
    const content = part.subarray(split + 4);
    const name = /name="([^"]+)"/.exec(headers)?.[1];
    const type = /content-type:\s*([^\r\n]+)/i.exec(headers)?.[1];
    parts.push({
      name,
      type,
      length: content.length,
      sha256: createHash('sha256').update(content).digest('hex'),
      text: type ? undefined : content.toString('utf8'),
    });
    start = next + delimiter.length;
  }
  const field = (name) => parts.find((p) => p.name === name)?.text;
  return {
    parts: parts.map(({ text, ...rest }) => rest),
    partOrder: parts.map((p) => p.name),
    operations: field('operations') ? JSON.parse(field('operations')) : undefined,
    map: field('map') ? JSON.parse(field('map')) : undefined,
  };
}
