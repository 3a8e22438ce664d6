import { randomUUID } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import type { Fault } from '../faults.js';
import { type ApiResponse, OzErrorCode, ozError } from './api-response.js';
import { send } from './send.js';

/** Messages of the default bodies a `status` fault sends. */
const DEFAULT_STATUS_ERRORS: Record<number, [OzErrorCode, string]> = {
  400: [OzErrorCode.INVALID_STRUCTURE, 'Bad request'],
  401: [OzErrorCode.INVALID_TOKEN, 'Access token is invalid'],
  403: [OzErrorCode.FORBIDDEN, 'Forbidden'],
  404: [OzErrorCode.NOT_FOUND, 'Not found'],
  429: [OzErrorCode.NOT_ALLOWED, 'Too many requests'],
};

function statusFault(status: number, body: string | undefined): ApiResponse {
  if (body !== undefined) {
    let contentType = 'text/plain; charset=utf-8';
    try {
      JSON.parse(body);
      contentType = 'application/json';
    } catch {
      if (body.trimStart().startsWith('<')) contentType = 'text/html; charset=utf-8';
    }
    return { status, headers: { 'content-type': contentType }, body: Buffer.from(body) };
  }
  const [code, message] =
    DEFAULT_STATUS_ERRORS[status] ??
    (status >= 500
      ? [OzErrorCode.EXTERNAL_SERVICE, 'External service error']
      : [OzErrorCode.UNKNOWN, 'Unknown error']);
  return ozError(status, code, message);
}

/**
 * Plays a fault that replaces the normal answer. Returns false for faults that only change how the
 * normal answer is delivered (latency, slow body), which the caller handles.
 */
export function answerWithFault(res: ServerResponse, fault: Fault): boolean {
  switch (fault.kind) {
    case 'reset':
      res.socket?.destroy();
      return true;
    case 'reset-after-headers': {
      // Promise a whole folder, send its first bytes, then drop the connection mid-body.
      res.writeHead(201, { 'content-type': 'application/json', 'content-length': '2048' });
      res.write(`{"folder_id":"${randomUUID()}",`, () => res.socket?.destroy());
      return true;
    }
    case 'malformed-json':
      send(res, {
        status: 201,
        headers: { 'content-type': 'application/json' },
        body: Buffer.from(`{"folder_id":"${randomUUID()}","resolution_status":"FINI`),
      });
      return true;
    case 'unauthorized':
      send(
        res,
        ozError(fault.status ?? 401, OzErrorCode.EXPIRED_TOKEN, 'Access token has expired'),
      );
      return true;
    case 'status':
      send(res, statusFault(fault.status, fault.body));
      return true;
    case 'latency':
    case 'slow-body':
      return false;
  }
}
