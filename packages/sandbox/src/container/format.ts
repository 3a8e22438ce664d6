/**
 * The sandbox container: the stand-in for Oz's encrypted OzCapsula.
 *
 * Only the sandbox reads it; the gateway and the element treat it as opaque bytes, exactly as they
 * must treat a real capsule. It runs in both the browser (the plugin encodes) and Node (the API
 * decodes), so it uses only Web Crypto and typed arrays.
 *
 * Layout (big-endian):
 *   6 B   magic "OZSBX1"
 *   4 B   header length H
 *   H B   header: UTF-8 JSON {@link ContainerHeader}
 *   4 B   clip length C
 *   C B   clip (the recorded video, e.g. video/webm)
 *   32 B  SHA-256 of every byte before it (the integrity check)
 */

export const MAGIC = 'OZSBX1';

/** What a person picked in the overlay (or a test through the control API). */
export type Outcome = 'genuine' | 'spoof' | 'review' | 'system_error';
export const OUTCOMES: readonly Outcome[] = ['genuine', 'spoof', 'review', 'system_error'];

export interface ContainerHeader {
  session_token: string;
  /** The Oz action(s) captured, e.g. `video_selfie_blank`. */
  actions: string[];
  /** The plugin's `meta` option: a flat string map (carries `transaction_id`). */
  meta: Record<string, string>;
  outcome: Outcome;
  /** MIME type of the clip. */
  clip_type: string;
  /** ISO-8601 time of capture. */
  captured_at: string;
}

export interface DecodedContainer {
  header: ContainerHeader;
  clip: Uint8Array;
}

/** Why a container could not be read; `reason` maps onto an Oz error code in the API. */
export class ContainerFormatError extends Error {
  constructor(
    readonly reason: 'damaged' | 'no-media' | 'bad-header',
    message: string,
  ) {
    super(message);
    this.name = 'ContainerFormatError';
  }
}

const HASH_BYTES = 32;
const encoder = new TextEncoder();

/** SHA-256 with Web Crypto, which hashes on the thread pool instead of the event loop. */
export async function sha256(bytes: Uint8Array): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>));
}

export async function encodeContainer(
  header: ContainerHeader,
  clip: Uint8Array,
): Promise<Uint8Array> {
  const headerBytes = encoder.encode(JSON.stringify(header));
  const bodyLength = MAGIC.length + 4 + headerBytes.length + 4 + clip.length;
  const out = new Uint8Array(bodyLength + HASH_BYTES);
  const view = new DataView(out.buffer);
  let at = 0;
  out.set(encoder.encode(MAGIC), at);
  at += MAGIC.length;
  view.setUint32(at, headerBytes.length);
  at += 4;
  out.set(headerBytes, at);
  at += headerBytes.length;
  view.setUint32(at, clip.length);
  at += 4;
  out.set(clip, at);
  out.set(await sha256(out.subarray(0, bodyLength)), bodyLength);
  return out;
}

export async function decodeContainer(bytes: Uint8Array): Promise<DecodedContainer> {
  const minimum = MAGIC.length + 4 + 4 + HASH_BYTES;
  if (bytes.length < minimum) throw new ContainerFormatError('damaged', 'container is truncated');
  if (new TextDecoder().decode(bytes.subarray(0, MAGIC.length)) !== MAGIC) {
    throw new ContainerFormatError('damaged', 'not a container');
  }
  const bodyLength = bytes.length - HASH_BYTES;
  const expected = await sha256(bytes.subarray(0, bodyLength));
  const actual = bytes.subarray(bodyLength);
  if (!expected.every((b, i) => b === actual[i])) {
    throw new ContainerFormatError('damaged', 'integrity check failed');
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let at = MAGIC.length;
  const headerLength = view.getUint32(at);
  at += 4;
  if (at + headerLength + 4 > bodyLength)
    throw new ContainerFormatError('damaged', 'bad header length');
  let header: ContainerHeader;
  try {
    header = JSON.parse(
      new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(at, at + headerLength)),
    );
  } catch {
    throw new ContainerFormatError('bad-header', 'header is not JSON');
  }
  at += headerLength;
  const clipLength = view.getUint32(at);
  at += 4;
  if (at + clipLength !== bodyLength) throw new ContainerFormatError('damaged', 'bad clip length');
  if (!header || typeof header !== 'object' || typeof header.session_token !== 'string') {
    throw new ContainerFormatError('bad-header', 'header lacks a session token');
  }
  if (clipLength === 0) throw new ContainerFormatError('no-media', 'container holds no media');
  return { header, clip: bytes.subarray(at, at + clipLength) };
}
