import type { Writable } from 'node:stream';

/** The per-instance limits on uploads taken at once (CONTRACT.md section 4). */
export interface UploadLimits {
  /** `MAX_CONCURRENT_UPLOADS`. */
  maxConcurrentUploads: number;
  /** `MAX_UPLOADS_PER_IP`. */
  maxUploadsPerIp: number;
  /** `SPOOL_MAX_BYTES`: bytes reserved by admitted uploads, which bounds the bytes on disk. */
  spoolMaxBytes: number;
}

/** Which limit refused an upload (a metric label). */
export type UploadRefusal = 'uploads_per_ip' | 'concurrent_uploads' | 'spool_bytes';

/** fs-capacitor's WriteStream as graphql-upload hands it over: `_pos` = bytes written so far. */
export type SpoolFile = Writable & { _pos?: number };

/**
 * Counts the uploads this instance has admitted and the bytes they may spool, and refuses the
 * next one when a limit is reached. An admitted upload holds its place (a `SpoolTicket`) until
 * its response has closed and its temp file is gone, whichever way it ended.
 */
export class UploadBudget {
  readonly limits: UploadLimits;
  #active = 0;
  #reservedBytes = 0;
  readonly #perIp = new Map<string, number>();
  readonly #files = new Set<SpoolFile>();

  constructor(limits: UploadLimits) {
    this.limits = limits;
  }

  /** Uploads admitted and not yet released. */
  get active(): number {
    return this.#active;
  }

  /** Bytes reserved against `spoolMaxBytes`. */
  get reservedBytes(): number {
    return this.#reservedBytes;
  }

  /** Bytes written to temp files that still exist (always ≤ `reservedBytes`). */
  get spooledBytes(): number {
    let bytes = 0;
    for (const file of this.#files) bytes += file._pos ?? 0;
    return bytes;
  }

  /** Admits an upload from `ip` that may spool up to `bytes`, or names the limit in the way. */
  admit(ip: string, bytes: number): SpoolTicket | UploadRefusal {
    const fromIp = this.#perIp.get(ip) ?? 0;
    if (fromIp >= this.limits.maxUploadsPerIp) return 'uploads_per_ip';
    if (this.#active >= this.limits.maxConcurrentUploads) return 'concurrent_uploads';
    if (this.#reservedBytes + bytes > this.limits.spoolMaxBytes) return 'spool_bytes';
    this.#active += 1;
    this.#reservedBytes += bytes;
    this.#perIp.set(ip, fromIp + 1);
    return new SpoolTicket({
      track: (file) => this.#files.add(file),
      untrack: (file) => this.#files.delete(file),
      release: () => {
        this.#active -= 1;
        this.#reservedBytes -= bytes;
        const left = (this.#perIp.get(ip) ?? 1) - 1;
        if (left > 0) this.#perIp.set(ip, left);
        else this.#perIp.delete(ip);
      },
    });
  }
}

interface TicketHooks {
  track(file: SpoolFile): void;
  untrack(file: SpoolFile): void;
  release(): void;
}

/** Something graphql-upload may still hand a file to: its `Upload` (promise + file). */
export interface PendingUpload {
  file?: unknown;
  promise: Promise<unknown>;
  reject(error: Error): void;
}

/**
 * One admitted upload's place in the budget. Released exactly once, when both its response
 * has closed and every temp file it spooled is closed and unlinked (fs-capacitor emits `close`
 * only after the unlink), so the bytes on disk never outgrow what was reserved.
 */
export class SpoolTicket {
  readonly #hooks: TicketHooks;
  readonly #open = new Set<SpoolFile>();
  #responseClosed = false;
  #released = false;
  #aborted: Error | undefined;
  readonly #pending = new Set<PendingUpload>();

  constructor(hooks: TicketHooks) {
    this.#hooks = hooks;
  }

  get released(): boolean {
    return this.#released;
  }

  /** Follows an `Upload` of this request: its temp file, once graphql-upload creates it. */
  watch(upload: PendingUpload): void {
    const capacitor = (upload.file as { capacitor?: unknown } | undefined)?.capacitor;
    if (capacitor) {
      this.#attach(capacitor as SpoolFile);
      return;
    }
    if (this.#aborted) {
      upload.reject(this.#aborted);
      return;
    }
    this.#pending.add(upload);
    upload.promise.then(
      (file) => {
        this.#pending.delete(upload);
        const spooled = (file as { capacitor?: unknown } | undefined)?.capacitor;
        if (spooled) this.#attach(spooled as SpoolFile);
      },
      () => this.#pending.delete(upload),
    );
  }

  /** The response has closed: nothing more will be spooled for it. */
  responseClosed(): void {
    this.#responseClosed = true;
    this.#releaseWhenDone();
  }

  /**
   * Ends the upload now (its deadline passed): temp files are destroyed (closed and unlinked)
   * and an upload still waiting for its file part fails with `error`.
   */
  abort(error: Error): void {
    this.#aborted ??= error;
    for (const upload of this.#pending) upload.reject(error);
    this.#pending.clear();
    for (const file of this.#open) file.destroy(error);
  }

  #attach(file: SpoolFile): void {
    if (this.#open.has(file) || file.closed) return;
    this.#open.add(file);
    this.#hooks.track(file);
    file.once('close', () => {
      this.#open.delete(file);
      this.#hooks.untrack(file);
      this.#releaseWhenDone();
    });
    // Spooled after the request was given up: nobody will read or release it.
    if (this.#aborted || this.#responseClosed) file.destroy(this.#aborted);
  }

  #releaseWhenDone(): void {
    if (this.#released || !this.#responseClosed || this.#open.size > 0) return;
    this.#released = true;
    this.#hooks.release();
  }
}
