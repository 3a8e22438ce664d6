import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

/** What an OTLP/HTTP collector would be sent, counted: exports and their bytes. */
export interface OtlpSinkStats {
  exports: number;
  bytes: number;
}

/**
 * A stand-in OTLP/HTTP collector for the tracing-cost figure: accepts `POST /v1/traces`, drains
 * the body and answers 200 with an empty (valid) export response, counting what it got.
 */
export async function startOtlpSink() {
  const stats: OtlpSinkStats = { exports: 0, bytes: 0 };
  const server = createServer((req, res) => {
    req.on('data', (chunk: Buffer) => {
      stats.bytes += chunk.length;
    });
    req.on('end', () => {
      if (req.url === '/v1/traces') stats.exports += 1;
      res.writeHead(200, { 'content-type': 'application/x-protobuf' }).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    stats: (): OtlpSinkStats => ({ ...stats }),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
