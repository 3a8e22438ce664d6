import { randomInt, randomUUID } from 'node:crypto';
import type { ContainerHeader } from './container/format.js';
import type { Resolution } from './outcomes.js';

/** A folder as the API answers it (JSON-ready). Unknown fields are fine: clients parse leniently. */
export type FolderObject = Record<string, unknown> & {
  folder_id: string;
  meta_data: Record<string, string>;
};

export interface FolderInput {
  header: ContainerHeader;
  /** The clip's size and SHA-256 (hex): hashed by the caller, off the event loop. */
  clip: { byteLength: number; sha256: string };
  resolution: Resolution;
  /** Company the sandbox account belongs to; constant so folders look like one tenant's. */
  companyId: string;
}

/** `confidence_spoofing` ranges per verdict: low means a real person. */
const SCORE_RANGES: Record<string, [number, number]> = {
  SUCCESS: [0.01, 0.1],
  DECLINED: [0.9, 0.99],
  OPERATOR_REQUIRED: [0.4, 0.6],
};

const CLIP_EXTENSIONS: Record<string, string> = {
  'video/webm': 'webm',
  'video/mp4': 'mp4',
  'video/quicktime': 'mov',
};

/** Builds the 201 body for an accepted container, shaped like an Oz folder. */
export function createFolder(input: FolderInput): FolderObject {
  const { header, clip, resolution } = input;
  const now = new Date().toISOString();
  const folderId = randomUUID();
  const mediaId = randomUUID();
  const mime = header.clip_type?.split(';')[0]?.trim().toLowerCase() ?? '';
  const media = {
    media_id: mediaId,
    folder_id: folderId,
    media_type: 'VIDEO_FOLDER',
    original_name: `${header.actions[0] ?? 'video'}.${CLIP_EXTENSIONS[mime] ?? 'bin'}`,
    original_url: null,
    tags: [...header.actions, 'video_selfie'],
    info: {
      mime_type: header.clip_type ?? null,
      size: clip.byteLength,
      sha256: clip.sha256,
      captured_at: header.captured_at ?? null,
    },
    time_created: now,
    time_updated: now,
  };
  return {
    folder_id: folderId,
    company_id: input.companyId,
    time_created: now,
    time_updated: now,
    meta_data: { ...header.meta },
    technical_meta_data: {},
    resolution_status: resolution.resolution_status,
    system_resolution: resolution.system_resolution,
    resolution_comment: '',
    media: [media],
    analyses: [qualityAnalysis(folderId, mediaId, resolution, now)],
  };
}

function qualityAnalysis(folderId: string, mediaId: string, resolution: Resolution, now: string) {
  const finished = resolution.resolution_status === 'FINISHED';
  const failed = resolution.resolution_status === 'FAILED';
  const state = finished ? 'FINISHED' : failed ? 'FAILED' : 'PROCESSING';
  // An analysis carries the verdict once finished, else its own state (FACTS.md).
  const analysisResolution = finished ? resolution.system_resolution : state;
  const range = finished ? SCORE_RANGES[resolution.system_resolution] : undefined;
  const score = range ? randomScore(range) : undefined;
  return {
    analyse_id: randomUUID(),
    folder_id: folderId,
    type: 'QUALITY',
    state,
    resolution_status: analysisResolution,
    source_media: [mediaId],
    params: {},
    results_data: score === undefined ? null : { confidence_spoofing: score },
    results_media:
      score === undefined
        ? []
        : [
            {
              results_media_id: randomUUID(),
              source_media_id: mediaId,
              results_data: { confidence_spoofing: score },
              output_images: [],
            },
          ],
    error: failed ? { error_code: 11, error_message: 'Liveness analysis failed' } : null,
    time_created: now,
    time_updated: now,
  };
}

function randomScore([low, high]: [number, number]): number {
  const steps = 10_000;
  return Number((low + ((high - low) * randomInt(steps + 1)) / steps).toFixed(4));
}

/**
 * Folders created through the Full API, kept for `GET /api/folders/{id}/` and the `meta_data`
 * filter. (Instant API folders are not stored, as on a real Instant installation.)
 */
export class FolderStore {
  readonly #folders = new Map<string, FolderObject>();

  add(folder: FolderObject): void {
    this.#folders.set(folder.folder_id, folder);
  }

  get(folderId: string): FolderObject | undefined {
    return this.#folders.get(folderId);
  }

  /** Folders whose meta_data has every given key=value, newest first. */
  find(filters: ReadonlyArray<[key: string, value: string]>): FolderObject[] {
    return [...this.#folders.values()]
      .filter((folder) => filters.every(([key, value]) => folder.meta_data[key] === value))
      .reverse();
  }

  clear(): void {
    this.#folders.clear();
  }
}
