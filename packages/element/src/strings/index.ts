import { en } from './en.js';
import type { LivenessStrings } from './liveness-strings.js';

export { en } from './en.js';
export type { LivenessStrings } from './liveness-strings.js';

export const supportedLanguages = ['en', 'es', 'pt-BR', 'ru', 'kk', 'tr'] as const;
export type SupportedLanguage = (typeof supportedLanguages)[number];

// English ships in the main bundle; the others load on first use, so a page pays only for the
// language it shows.
const loaders: Record<Exclude<SupportedLanguage, 'en'>, () => Promise<LivenessStrings>> = {
  es: () => import('./es.js').then((m) => m.es),
  'pt-BR': () => import('./pt-BR.js').then((m) => m.ptBR),
  ru: () => import('./ru.js').then((m) => m.ru),
  kk: () => import('./kk.js').then((m) => m.kk),
  tr: () => import('./tr.js').then((m) => m.tr),
};
const loaded = new Map<SupportedLanguage, LivenessStrings>([['en', en]]);

/**
 * The supported language closest to a BCP 47 tag: exact (any case), then by primary language
 * (`pt` and `pt-PT` → `pt-BR`, `es-MX` → `es`), else `en`.
 */
export function matchLanguage(tag: string | null | undefined): SupportedLanguage {
  const wanted = (tag ?? '').trim().toLowerCase().replace('_', '-');
  const primary = wanted.split('-')[0];
  return (
    supportedLanguages.find((lang) => lang.toLowerCase() === wanted) ??
    supportedLanguages.find((lang) => lang.toLowerCase().split('-')[0] === primary) ??
    'en'
  );
}

/**
 * Makes languages available at once, without their chunks: a server renders synchronously, so
 * the server entries (`index.server.ts`, `define.server.ts`) provide every language up front.
 */
export function provideStrings(tables: Partial<Record<SupportedLanguage, LivenessStrings>>): void {
  for (const [lang, strings] of Object.entries(tables)) {
    loaded.set(lang as SupportedLanguage, strings);
  }
}

/** The strings of a language if already loaded (English always is). */
export function loadedStrings(lang: SupportedLanguage): LivenessStrings | undefined {
  return loaded.get(lang);
}

/** Loads a language's strings; falls back to English if its chunk cannot be fetched. */
export async function loadStrings(lang: SupportedLanguage): Promise<LivenessStrings> {
  const ready = loaded.get(lang);
  if (ready) return ready;
  try {
    const strings = await loaders[lang as Exclude<SupportedLanguage, 'en'>]();
    loaded.set(lang, strings);
    return strings;
  } catch {
    return en; // not remembered: a later render tries the network again
  }
}
