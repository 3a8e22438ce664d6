import type { IncomingMessage, ServerResponse } from 'node:http';

/** A report is a few hundred bytes; anything bigger is not a browser's CSP report. */
const MAX_BODY_BYTES = 64 * 1024;
/** The demo keeps the latest reports only: a page in a loop must not fill the server's memory. */
const MAX_REPORTS = 200;

/** One violation as the browser reported it (`report-uri`'s `csp-report` object, verbatim). */
export type CspReport = Record<string, unknown>;

/**
 * The demo's CSP report endpoint, `report-uri /api/csp-report` in the strict page's policy:
 * `POST` records a report (`application/csp-report`, or the Reporting API's
 * `application/reports+json` list), `GET` lists what arrived, newest last, so a person (or a
 * test) can see that a page ran without a single violation.
 */
export function createCspReportHandler() {
  const reports: CspReport[] = [];
  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    if (req.method === 'GET') {
      res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' });
      res.end(JSON.stringify({ reports }));
      return;
    }
    if (req.method !== 'POST') {
      res.writeHead(405, { allow: 'GET, POST' }).end();
      return;
    }
    const body = await readJson(req).catch(() => undefined);
    if (body === undefined) {
      res.writeHead(400).end();
      return;
    }
    for (const report of asReports(body)) {
      reports.push(report);
      if (reports.length > MAX_REPORTS) reports.shift();
    }
    res.writeHead(204).end();
  };
}

/** `{"csp-report": {...}}` (report-uri) or `[{type, body}, ...]` (report-to). */
function asReports(body: unknown): CspReport[] {
  if (Array.isArray(body)) {
    return body
      .map((entry) => (entry as { body?: unknown })?.body)
      .filter((entry): entry is CspReport => typeof entry === 'object' && entry !== null);
  }
  const report = (body as { 'csp-report'?: unknown } | null)?.['csp-report'];
  return typeof report === 'object' && report !== null ? [report as CspReport] : [];
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw new Error('report too large');
    chunks.push(chunk as Buffer);
  }
  return JSON.parse(Buffer.concat(chunks).toString('utf8'));
}
