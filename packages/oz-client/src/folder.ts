import { OzTransportError } from './errors.js';
import type { OzAnalysis, OzFolder, OzOperation } from './types.js';

type Json = Record<string, unknown>;

/**
 * Parses an Oz folder leniently: no verbatim 201 example is published, so only `folder_id` is
 * required, missing fields get neutral defaults and everything Oz sent stays in `raw`.
 */
export function parseFolder(json: unknown, operation: OzOperation, status: number): OzFolder {
  const folderId = isObject(json) ? idString(json.folder_id) : undefined;
  if (!isObject(json) || !folderId) {
    throw new OzTransportError({
      operation,
      reason: 'bad-response',
      status,
      message: 'Oz sent an answer that could not be read: not a folder (no folder_id)',
    });
  }
  const timeCreated = timeString(json.time_created);
  const timeUpdated = timeString(json.time_updated);
  return {
    folderId,
    resolutionStatus: stringOr(json.resolution_status, ''),
    systemResolution: stringOr(json.system_resolution, ''),
    ...(timeCreated !== undefined && { timeCreated }),
    ...(timeUpdated !== undefined && { timeUpdated }),
    metaData: parseMetaData(json.meta_data),
    analyses: Array.isArray(json.analyses) ? json.analyses.filter(isObject).map(parseAnalysis) : [],
    media: Array.isArray(json.media) ? json.media : [],
    raw: json,
  };
}

/** A folder list: a bare array, or a paginated `{results: [...]}` page. */
export function parseFolderList(json: unknown, operation: OzOperation, status: number): OzFolder[] {
  const items = Array.isArray(json) ? json : isObject(json) ? json.results : undefined;
  if (!Array.isArray(items)) {
    throw new OzTransportError({
      operation,
      reason: 'bad-response',
      status,
      message: 'Oz sent an answer that could not be read: not a folder list',
    });
  }
  return items.map((item) => parseFolder(item, operation, status));
}

export function parseAnalysis(json: Json): OzAnalysis {
  const state = typeof json.state === 'string' ? json.state : undefined;
  const confidenceSpoofing = highestSpoofingScore(json);
  return {
    id: idString(json.analyse_id) ?? idString(json.analysis_id) ?? '',
    type: stringOr(json.type, ''),
    ...(state !== undefined && { state }),
    resolutionStatus: stringOr(json.resolution_status, state ?? ''),
    ...(confidenceSpoofing !== undefined && { confidenceSpoofing }),
    raw: json,
  };
}

/**
 * Scores sit in `results_media[].results_data.confidence_spoofing`, one per medium; the analysis
 * is as suspicious as its most suspicious medium. Falls back to the analysis' own results_data.
 */
function highestSpoofingScore(analysis: Json): number | undefined {
  const scores: number[] = [];
  if (Array.isArray(analysis.results_media)) {
    for (const medium of analysis.results_media) {
      const score = isObject(medium) ? spoofingScore(medium.results_data) : undefined;
      if (score !== undefined) scores.push(score);
    }
  }
  if (scores.length === 0) {
    const own = spoofingScore(analysis.results_data);
    if (own !== undefined) scores.push(own);
  }
  return scores.length > 0 ? Math.max(...scores) : undefined;
}

function spoofingScore(resultsData: unknown): number | undefined {
  if (!isObject(resultsData)) return undefined;
  const value = resultsData.confidence_spoofing;
  const score = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  return typeof score === 'number' && Number.isFinite(score) ? score : undefined;
}

/** Meta data is a flat string map; numbers and booleans are stringified, nested values dropped. */
function parseMetaData(value: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (!isObject(value)) return out;
  for (const [key, item] of Object.entries(value)) {
    if (typeof item === 'string') out[key] = item;
    else if (typeof item === 'number' || typeof item === 'boolean') out[key] = String(item);
  }
  return out;
}

function isObject(value: unknown): value is Json {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function idString(value: unknown): string | undefined {
  if (typeof value === 'string' && value !== '') return value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return undefined;
}

function stringOr(value: unknown, fallback: string): string {
  return typeof value === 'string' ? value : fallback;
}

/** ISO strings verbatim; Unix seconds (some Oz versions) converted to ISO. */
function timeString(value: unknown): string | undefined {
  if (typeof value === 'string' && value !== '') return value;
  if (typeof value === 'number' && Number.isFinite(value)) {
    return new Date(value > 1e12 ? value : value * 1000).toISOString();
  }
  return undefined;
}
