import {
  ContainerFormatError,
  type ContainerHeader,
  type DecodedContainer,
  decodeContainer,
  sha256,
} from '../container/format.js';
import { createFolder } from '../folders.js';
import { type ApiResponse, json, OzErrorCode, ozError } from '../http/api-response.js';
import { isOutcome, resolutionOf } from '../outcomes.js';
import { type ApiHandler, requireAccessToken } from './api-request.js';

/**
 * Off the event loop: 64 clips of 10 MiB hashed on it held it for ~0.4 s on an idle machine, and
 * for seconds on a loaded one, while session-token requests waited behind them (the Oz this
 * stands for runs on its own machines).
 */
async function sha256Hex(bytes: Uint8Array): Promise<string> {
  return Buffer.from(await sha256(bytes)).toString('hex');
}

const INVALID_SESSION_TOKEN = 'Invalid or empty Session Token';

/** Why a header that decoded is still unusable, or undefined when it is complete. */
function headerProblem(header: ContainerHeader): string | undefined {
  if (
    !Array.isArray(header.actions) ||
    header.actions.length === 0 ||
    !header.actions.every((action) => typeof action === 'string' && action !== '')
  ) {
    return 'container header lacks its actions';
  }
  if (!isOutcome(header.outcome)) return 'container header lacks a valid outcome';
  const meta: unknown = header.meta ?? {};
  if (
    typeof meta !== 'object' ||
    meta === null ||
    Array.isArray(meta) ||
    !Object.values(meta).every((value) => typeof value === 'string')
  ) {
    return 'container meta must be a flat map of strings';
  }
  return undefined;
}

async function decode(body: Buffer): Promise<DecodedContainer | ApiResponse> {
  try {
    return await decodeContainer(new Uint8Array(body.buffer, body.byteOffset, body.byteLength));
  } catch (error) {
    const reason = error instanceof ContainerFormatError ? error.reason : 'damaged';
    const message = error instanceof Error ? error.message : 'unreadable container';
    if (reason === 'bad-header') return ozError(400, OzErrorCode.INVALID_STRUCTURE, message);
    if (reason === 'no-media') return ozError(400, OzErrorCode.INVALID_VALUE, message);
    return ozError(400, OzErrorCode.INVALID_TYPE, `Container is damaged: ${message}`);
  }
}

/**
 * `POST /api/instant/folders/` and `POST /api/folders/`: one raw container in, one folder out.
 * Full mode keeps the folder for later lookups; Instant mode does not.
 */
export function submitContainer(mode: 'instant' | 'full'): ApiHandler {
  return async (req, state) => {
    const denied = requireAccessToken(req, state);
    if (denied) return denied;
    if (req.body.length === 0) {
      return ozError(400, OzErrorCode.NO_CONTAINER, 'No container received');
    }
    const contentType = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
    if (contentType !== 'application/octet-stream') {
      return ozError(
        400,
        OzErrorCode.INVALID_TYPE,
        'Invalid type: send the container as raw application/octet-stream',
        { content_type: contentType || null },
      );
    }
    const decoded = await decode(req.body);
    if ('status' in decoded) return decoded;
    const problem = headerProblem(decoded.header);
    if (problem) return ozError(400, OzErrorCode.INVALID_STRUCTURE, problem);
    // Spent only now, once the container is known to be whole: a damaged upload can be retried.
    if (state.sessionTokens.consume(decoded.header.session_token) !== 'ok') {
      return ozError(400, OzErrorCode.CONTAINER_UNPACK, INVALID_SESSION_TOKEN);
    }
    const queued = state.outcomes.next() ?? decoded.header.outcome;
    const folder = createFolder({
      header: { ...decoded.header, meta: decoded.header.meta ?? {} },
      clip: { byteLength: decoded.clip.byteLength, sha256: await sha256Hex(decoded.clip) },
      resolution: resolutionOf(queued),
      companyId: state.companyId,
    });
    if (mode === 'full') state.folders.add(folder);
    return json(201, folder);
  };
}

/** `GET /api/folders/{folder_id}/` (Full API). */
export const getFolder: ApiHandler = (req, state) => {
  const denied = requireAccessToken(req, state);
  if (denied) return denied;
  const folder = state.folders.get(req.params[0] ?? '');
  return folder ? json(200, folder) : ozError(404, OzErrorCode.NOT_FOUND, 'Folder not found');
};

/** `GET /api/folders/?meta_data=transaction_id==<id>` (Full API): matching folders, newest first. */
export const listFolders: ApiHandler = (req, state) => {
  const denied = requireAccessToken(req, state);
  if (denied) return denied;
  const filters: Array<[string, string]> = [];
  for (const filter of req.query.getAll('meta_data')) {
    const at = filter.indexOf('==');
    if (at <= 0) {
      return ozError(400, OzErrorCode.INVALID_VALUE, 'meta_data filter must look like key==value', {
        meta_data: filter,
      });
    }
    filters.push([filter.slice(0, at), filter.slice(at + 2)]);
  }
  return json(200, state.folders.find(filters));
};
