import { expect } from '@open-wc/testing';
import { en, loadStrings, matchLanguage, supportedLanguages } from './index.js';

describe('strings', () => {
  it('matches BCP 47 tags to a supported language', () => {
    const cases: Record<string, string> = {
      '': 'en',
      en: 'en',
      'en-GB': 'en',
      ES: 'es',
      'es-MX': 'es',
      pt: 'pt-BR',
      'pt-PT': 'pt-BR',
      'pt-br': 'pt-BR',
      pt_BR: 'pt-BR',
      'ru-RU': 'ru',
      'kk-KZ': 'kk',
      tr: 'tr',
      de: 'en',
      'zh-Hant': 'en',
    };
    for (const [tag, lang] of Object.entries(cases)) expect(matchLanguage(tag), tag).to.equal(lang);
  });

  it('has every string in every language, none empty, none left in English', async () => {
    const keys = Object.keys(en).sort();
    for (const lang of supportedLanguages) {
      const strings = await loadStrings(lang);
      expect(Object.keys(strings).sort(), lang).to.deep.equal(keys);
      for (const key of keys) {
        const value = strings[key as keyof typeof strings];
        expect(value, `${lang}.${key}`).to.be.a('string').and.not.equal('');
        if (lang !== 'en' && key !== 'cancel') {
          expect(value, `${lang}.${key} is untranslated`).to.not.equal(en[key as keyof typeof en]);
        }
      }
    }
  });
});
