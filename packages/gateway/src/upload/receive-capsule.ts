import type { Readable } from 'node:stream';
import type { FileUpload } from 'graphql-upload/processRequest.mjs';
import { badUserInput, capsuleTooLarge } from '../errors.js';

/** A capsule that has fully arrived and sits in graphql-upload's temp file. */
export interface ReceivedCapsule {
  /** Exact size in bytes, known only once the upload is complete. */
  byteLength: number;
  /** A fresh stream of the bytes each call (the temp file is re-read, never held in memory). */
  open: () => Readable;
}

/** The client went away while its upload was still arriving. */
export class ClientGoneError extends Error {
  override readonly name = 'ClientGoneError';
}

function statusOf(error: unknown): number | undefined {
  const status = (error as { status?: unknown } | null)?.status;
  return typeof status === 'number' ? status : undefined;
}

/**
 * Waits until the capsule has fully arrived, within `maxBytes`, and measures it.
 *
 * graphql-upload spools the file part to a temp file (fs-capacitor) as it arrives; a read
 * stream of it ends only once the part ended cleanly, and errors if the part was cut short, went
 * over `maxFileSize` or the client disconnected. Reading it through once is therefore the proof
 * that the capsule is complete, so nothing is sent upstream before that proof exists.
 */
export async function receiveCapsule(
  upload: Promise<FileUpload>,
  maxBytes: number,
): Promise<ReceivedCapsule> {
  let file: FileUpload;
  try {
    file = await upload;
  } catch (error) {
    throw uploadError(error, maxBytes);
  }

  let byteLength = 0;
  try {
    // A small read-ahead buffer: the file is streamed from disk, never gathered.
    for await (const chunk of file.createReadStream({ highWaterMark: 64 * 1024 })) {
      byteLength += (chunk as Buffer).byteLength;
      if (byteLength > maxBytes) throw capsuleTooLarge(maxBytes);
    }
  } catch (error) {
    throw uploadError(error, maxBytes);
  }

  if (byteLength === 0) throw badUserInput('The capsule is empty.');
  return { byteLength, open: () => file.createReadStream({ highWaterMark: 64 * 1024 }) };
}

function uploadError(error: unknown, maxBytes: number): Error {
  if (error instanceof ClientGoneError) return error;
  if ((error as { extensions?: unknown })?.extensions) return error as Error;
  const status = statusOf(error);
  if (status === 413) return capsuleTooLarge(maxBytes);
  if (status === 499) return new ClientGoneError('The client disconnected during the upload.');
  if (status === 400) return badUserInput((error as Error).message);
  // busboy's "Unexpected end of form/file": the multipart body stopped mid-file.
  return badUserInput('The upload ended before the capsule was complete.');
}
