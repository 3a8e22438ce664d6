import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CAPSULE_PREFIX_LENGTH, readCapsulePrefix } from './bench-capsule.js';

/**
 * The lean upstream every figure runs against: a drain-and-answer stand-in for the Oz API.
 * It does as little as a server can (no container parsing, no storage) so the comparison stays
 * about the gateway in front of it, not about the sandbox's own work.
 */
export interface UpstreamOptions {
  /** Static `X-Forensic-Access-Token` the upstream expects; missing or wrong → Oz-style 401. */
  accessToken: string;
  host?: string;
  port?: number;
  /** Hold each folder answer this long after its last byte, as Oz's analyses take seconds. */
  answerDelayMs?: number;
  /** Every Nth folder POST fails (alternately a 500 and a reset connection): the soak's faults. */
  faultEvery?: number;
}

/** Counters the harness reads to prove each capsule reached the upstream whole. */
export interface UpstreamStats {
  sessionTokens: number;
  folders: number;
  folderBytes: number;
  rejected: number;
  /** TCP connections accepted: with keep-alive, far fewer than requests. */
  connections: number;
  /** Folder POSTs answered with a fault (`faultEvery`). */
  faults: number;
}

export interface RunningUpstream {
  url: string;
  stats(): UpstreamStats;
  close(): Promise<void>;
}

const SESSION_TOKEN_PATH = '/api/authorize/session_token';
const FOLDER_PATHS = new Set(['/api/instant/folders/', '/api/folders/']);

export async function startUpstream(options: UpstreamOptions): Promise<RunningUpstream> {
  const stats: UpstreamStats = {
    sessionTokens: 0,
    folders: 0,
    folderBytes: 0,
    rejected: 0,
    connections: 0,
    faults: 0,
  };

  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    if (req.headers['x-forensic-access-token'] !== options.accessToken) {
      stats.rejected++;
      drainThen(req, () => answerError(res, 401, 8, 'Access token is missing or invalid'));
      return;
    }
    if (req.method === 'GET' && path === SESSION_TOKEN_PATH) {
      stats.sessionTokens++;
      answerJson(res, 200, { session_token: fakeSessionToken() });
      return;
    }
    if (req.method === 'POST' && FOLDER_PATHS.has(path)) {
      receiveFolder(req, res, stats, options);
      return;
    }
    stats.rejected++;
    drainThen(req, () => answerError(res, 404, 10, 'Not found'));
  });
  server.on('connection', () => {
    stats.connections++;
  });
  // Keep-alive sockets from 32 load connections must not be reaped mid-run.
  server.keepAliveTimeout = 60_000;
  server.headersTimeout = 65_000;
  server.requestTimeout = 0;

  await new Promise<void>((resolve) =>
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', resolve),
  );
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${options.host ?? '127.0.0.1'}:${port}`,
    stats: () => ({ ...stats }),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

let folderPosts = 0;

function receiveFolder(
  req: IncomingMessage,
  res: ServerResponse,
  stats: UpstreamStats,
  options: UpstreamOptions,
): void {
  if (!(req.headers['content-type'] ?? '').startsWith('application/octet-stream')) {
    stats.rejected++;
    drainThen(req, () => answerError(res, 400, 5, 'Invalid type of data'));
    return;
  }
  let bytes = 0;
  let head = Buffer.alloc(0);
  req.on('data', (chunk: Buffer) => {
    bytes += chunk.length;
    if (head.length < CAPSULE_PREFIX_LENGTH) {
      head = Buffer.concat([head, chunk.subarray(0, CAPSULE_PREFIX_LENGTH - head.length)]);
    }
  });
  req.on('end', () => {
    if (bytes === 0) {
      stats.rejected++;
      answerError(res, 400, 13, 'No container received');
      return;
    }
    folderPosts++;
    if (options.faultEvery && folderPosts % options.faultEvery === 0) {
      stats.faults++;
      if ((folderPosts / options.faultEvery) % 2 === 0) req.socket.destroy();
      else answerError(res, 500, 1, 'Internal server error');
      return;
    }
    stats.folders++;
    stats.folderBytes += bytes;
    const folder = fakeFolder(bytes, readCapsulePrefix(head));
    if (options.answerDelayMs)
      setTimeout(() => answerJson(res, 201, folder), options.answerDelayMs);
    else answerJson(res, 201, folder);
  });
}

function drainThen(req: IncomingMessage, answer: () => void): void {
  req.resume();
  req.on('end', answer);
}

function answerJson(res: ServerResponse, status: number, body: unknown): void {
  const json = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(json),
  });
  res.end(json);
}

function answerError(res: ServerResponse, status: number, code: number, message: string): void {
  answerJson(res, status, { error_code: code, error_message: message, details: null });
}

/** JWT-shaped like Oz's, random per call (the gateway must never see the same one twice). */
function fakeSessionToken(): string {
  const header = Buffer.from('{"alg":"HS256","typ":"JWT"}').toString('base64url');
  const payload = Buffer.from(
    JSON.stringify({ jti: randomUUID(), exp: Math.floor(Date.now() / 1000) + 900 }),
  ).toString('base64url');
  return `${header}.${payload}.${randomBytes(32).toString('base64url')}`;
}

/** A 201 folder shaped like the one Oz returns for a genuine instant check (~1.5 KB). */
function fakeFolder(bytes: number, transactionId: string | undefined): Record<string, unknown> {
  const now = new Date().toISOString();
  const folderId = randomUUID();
  const mediaId = randomUUID();
  return {
    folder_id: folderId,
    time_created: now,
    time_updated: now,
    company_id: randomUUID(),
    // Oz echoes the plugin's meta; our gateway checks it against the submitted transactionId.
    meta_data: transactionId ? { transaction_id: transactionId } : {},
    technical_meta_data: {},
    resolution_status: 'FINISHED',
    system_resolution: 'SUCCESS',
    resolution_comment: null,
    media: [
      {
        media_id: mediaId,
        folder_id: folderId,
        media_type: 'VIDEO_FOLDER',
        original_name: 'capsule.bin',
        original_url: null,
        info: { size: bytes },
        tags: ['video_selfie_blank', 'orientation_portrait'],
        time_created: now,
        time_updated: now,
      },
    ],
    analyses: [
      {
        analyse_id: randomUUID(),
        folder_id: folderId,
        type: 'QUALITY',
        state: 'FINISHED',
        resolution_status: 'SUCCESS',
        results_data: null,
        source_media: [{ media_id: mediaId, media_type: 'VIDEO_FOLDER' }],
        results_media: [
          {
            results_media_id: randomUUID(),
            source_media_id: mediaId,
            results_data: { confidence_spoofing: 0.0421 },
          },
        ],
        time_created: now,
        time_updated: now,
      },
    ],
  };
}
