/** The theming page's promise: themes touch the element only through its public styling API. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const css = readFileSync(new URL('../src/theming/themes.css', import.meta.url), 'utf8').replace(
  /\/\*[\s\S]*?\*\//g,
  '',
);
const rules = [...css.matchAll(/([^{}]+)\{([^}]*)\}/g)].map(([, selector, body]) => ({
  selector: selector!.trim(),
  properties: body!
    .split(';')
    .map((declaration) => declaration.split(':')[0]!.trim())
    .filter(Boolean),
}));

describe('themes.css', () => {
  it('has rules for three themes', () => {
    expect(rules.length).toBeGreaterThanOrEqual(3);
  });

  it.each(rules)('$selector styles only ::part() or sets only --oz-liveness-check-*', (rule) => {
    if (rule.selector.includes('::part(')) {
      expect(rule.selector).toMatch(
        /oz-liveness-check\b.*::part\((base|button|status|progress|result)\)$/,
      );
    } else {
      for (const property of rule.properties) expect(property).toMatch(/^--oz-liveness-check-/);
    }
  });
});
