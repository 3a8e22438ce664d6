import { type Readable, Writable } from 'node:stream';
import { finished } from 'node:stream/promises';
import type { FileUpload } from 'graphql-upload/processRequest.mjs';
import { badUserInput, capsuleTooLarge, uploadTimeout } from '../errors.js';
import { readExactly } from './read-exactly.js';
import { UploadTimeoutError } from './upload-admission.js';

/** A capsule that has fully arrived and sits in graphql-upload's temp file. */
export interface ReceivedCapsule {
  /** Exact size in bytes, known only once the upload is complete. */
  byteLength: number;
  /** A fresh stream of the bytes each call (the temp file is re-read, never held in memory). */
  open: () => Readable;
  /**
   * Removes the temp file now, ending any read of it. graphql-upload would remove it only once
   * the response has closed; done before answering, no answer ever leaves a spool behind.
   */
  discard: () => Promise<void>;
}

/** The client went away while its upload was still arriving. */
export class ClientGoneError extends Error {
  override readonly name = 'ClientGoneError';
}

/**
 * Read-ahead of the temp file while it is sent upstream. Each chunk costs a thread-pool
 * `fs.read` and a socket write, so 256 KiB moves a capsule with a quarter of the calls 64 KiB
 * took (A/B, 1 MiB capsules: gateway CPU per MiB 11.1 -> 6.5 ms); 32 uploads in flight still
 * hold only ~8 MiB of it.
 */
const READ_CHUNK_BYTES = 256 * 1024;

/**
 * The read size for a capsule of `byteLength`: as few reads as 256 KiB chunks take, split evenly.
 * Each read allocates its whole size, so a 300 KiB capsule read as 256 + 44 KiB held 512 KiB
 * while it went upstream; as 2 × 150 KiB it holds 300 KiB (240 such forwards at once: ~70 MiB
 * less RSS).
 */
export function readChunkBytes(byteLength: number): number {
  const reads = Math.max(1, Math.ceil(byteLength / READ_CHUNK_BYTES));
  return Math.ceil(byteLength / reads);
}

/** fs-capacitor 8's WriteStream as graphql-upload 17 hands it over (`file.capacitor`). */
type Capacitor = Writable & { _pos: number };

function statusOf(error: unknown): number | undefined {
  const status = (error as { status?: unknown } | null)?.status;
  return typeof status === 'number' ? status : undefined;
}

/**
 * Waits until the capsule has fully arrived, within `maxBytes`, and measures it.
 *
 * graphql-upload spools the file part to a temp file (fs-capacitor's WriteStream) as it
 * arrives. That stream finishes only once the part ended cleanly and every byte is on disk; it
 * is destroyed with an error if the part was cut short, went over `maxFileSize` or the client
 * disconnected. Its finish is therefore the proof that the capsule is complete, and its write
 * position the exact size, so the file is read once only, to send it. Should the capacitor not
 * have that shape (it is a private detail of graphql-upload), the file is read through once as
 * the proof instead, which is slower but equally strict.
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

  const capacitor = capacitorOf(file);
  const discard = () => removeSpool(capacitor);
  let byteLength: number;
  try {
    byteLength = capacitor ? await spooledSize(capacitor) : await countedSize(file, maxBytes);
  } catch (error) {
    await discard();
    throw uploadError(error, maxBytes);
  }

  if (byteLength > maxBytes || byteLength === 0) {
    await discard();
    throw byteLength === 0 ? badUserInput('The capsule is empty.') : capsuleTooLarge(maxBytes);
  }
  return {
    byteLength,
    open: () =>
      readExactly(file.createReadStream({ highWaterMark: readChunkBytes(byteLength) }), byteLength),
    discard,
  };
}

/** Destroys the capacitor (its reads too) and waits until its file is closed and unlinked. */
async function removeSpool(capacitor: Capacitor | undefined): Promise<void> {
  if (!capacitor || capacitor.closed) return;
  await new Promise<void>((resolve) => {
    capacitor.once('close', () => resolve());
    // An unlink that failed is only logged by the OS's tmp cleaner; nothing to tell the client.
    capacitor.once('error', () => {});
    capacitor.destroy();
  });
}

function capacitorOf(file: FileUpload): Capacitor | undefined {
  const capacitor = (file as { capacitor?: unknown }).capacitor;
  return capacitor instanceof Writable && typeof (capacitor as Capacitor)._pos === 'number'
    ? (capacitor as Capacitor)
    : undefined;
}

/** Resolves to the spooled size once the file part has ended and is flushed to disk. */
async function spooledSize(capacitor: Capacitor): Promise<number> {
  // A capacitor destroyed without an error (released because the response closed) rejects
  // here as a premature close: the capsule never completed.
  await finished(capacitor, { readable: false });
  return capacitor._pos;
}

/** The fallback proof: reads the temp file through, which ends only if the part did. */
async function countedSize(file: FileUpload, maxBytes: number): Promise<number> {
  let byteLength = 0;
  for await (const chunk of file.createReadStream({ highWaterMark: READ_CHUNK_BYTES })) {
    byteLength += (chunk as Buffer).byteLength;
    if (byteLength > maxBytes) throw capsuleTooLarge(maxBytes);
  }
  return byteLength;
}

function uploadError(error: unknown, maxBytes: number): Error {
  if (error instanceof ClientGoneError) return error;
  // The deadline destroyed the temp file (or failed the upload before its file part came).
  if (error instanceof UploadTimeoutError) return uploadTimeout(error.timeoutMs);
  if ((error as { extensions?: unknown })?.extensions) return error as Error;
  const status = statusOf(error);
  if (status === 413) return capsuleTooLarge(maxBytes);
  if (status === 499) return new ClientGoneError('The client disconnected during the upload.');
  if (status === 400) return badUserInput((error as Error).message);
  // busboy's "Unexpected end of form/file": the multipart body stopped mid-file.
  return badUserInput('The upload ended before the capsule was complete.');
}
