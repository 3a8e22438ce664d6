import { createServer, request } from 'node:http';

const CUT_AFTER_BYTES = 1024;

/**
 * A transparent HTTP proxy in front of the gateway that can cut the next multipart upload after
 * its first kilobyte: the browser sees a connection dropped mid-upload, exactly what a flaky
 * network does, and the gateway sees a truncated body. A kilobyte is inside the capsule's part
 * whatever the clip: the fields before it take ~0.7 KiB, the container's own header ~0.5 KiB.
 */
export async function startUploadCuttingProxy(targetUrl) {
  const target = new URL(targetUrl);
  let cutsLeft = 0;
  let cutsDone = 0;
  let uploads = 0;
  const sockets = new Set();

  const server = createServer((req, res) => {
    const isUpload =
      req.method === 'POST' && (req.headers['content-type'] ?? '').startsWith('multipart/');
    if (isUpload) uploads += 1;
    const cut = isUpload && cutsLeft > 0;
    if (cut) cutsLeft -= 1;
    const upstream = request(
      {
        host: target.hostname,
        port: target.port,
        method: req.method,
        path: req.url,
        headers: req.headers,
      },
      (answer) => {
        // One connection per request: a cut one must fail in the page, not be retried by the
        // browser on another kept-alive socket.
        res.writeHead(answer.statusCode ?? 502, { ...answer.headers, connection: 'close' });
        answer.pipe(res);
      },
    );
    upstream.on('error', () => res.destroy());
    if (!cut) {
      req.pipe(upstream);
      return;
    }
    let forwarded = 0;
    req.on('data', (chunk) => {
      if (forwarded >= CUT_AFTER_BYTES) return;
      // Exactly the first CUT_AFTER_BYTES: a whole small upload may arrive as one chunk.
      const part = chunk.subarray(0, CUT_AFTER_BYTES - forwarded);
      forwarded += part.length;
      upstream.write(part);
      if (forwarded >= CUT_AFTER_BYTES) {
        cutsDone += 1;
        upstream.destroy();
        req.socket.destroy();
      }
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    cutNextUploads(count = 1) {
      cutsLeft = count;
      cutsDone = 0;
      uploads = 0;
    },
    stats: () => ({ cutsLeft, cutsDone, uploads }),
    close() {
      for (const socket of sockets) socket.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
