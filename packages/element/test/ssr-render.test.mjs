// Server-side rendering with @lit-labs/ssr, as Next.js, Astro or the demo server do it: the
// package imported by name (the "node" export condition), the idle state rendered into a
// declarative shadow root in the element's language, and no browser-only global touched by the
// element's code, at import or while rendering.
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { fileURLToPath } from 'node:url';

const distDir = fileURLToPath(new URL('../dist/', import.meta.url));

// Globals that exist only in a browser. Each is a getter that records who read it: Lit reads
// some of them to find out it is on a server, so only reads from this package's code count.
const browserOnly = [
  'window',
  'document',
  'location',
  'navigator',
  'requestIdleCallback',
  'requestAnimationFrame',
  'matchMedia',
  'trustedTypes',
  'localStorage',
];
const reads = [];
for (const name of browserOnly) {
  if (name in globalThis) continue; // Node 21+ has its own navigator: not a browser's
  Object.defineProperty(globalThis, name, {
    configurable: true,
    get() {
      const stack = new Error().stack ?? '';
      const ours = stack
        .split('\n')
        .slice(2)
        .find((line) => line.includes(distDir));
      if (ours) reads.push(`${name} from ${ours.trim()}`);
      return undefined;
    },
  });
}

let render;
let collectResult;
let html;
let strings;

before(async () => {
  ({ render } = await import('@lit-labs/ssr'));
  ({ collectResult } = await import('@lit-labs/ssr/lib/render-result.js'));
  ({ html } = await import('lit'));
  await import('@oz-liveness/element/define');
  strings = {
    en: (await import('../dist/strings/en.js')).en,
    es: (await import('../dist/strings/es.js')).es,
    'pt-BR': (await import('../dist/strings/pt-BR.js')).ptBR,
    ru: (await import('../dist/strings/ru.js')).ru,
    kk: (await import('../dist/strings/kk.js')).kk,
    tr: (await import('../dist/strings/tr.js')).tr,
  };
});

/** Renders a Lit template, failing on any console warning or error. */
async function renderToString(template) {
  const logged = [];
  const { warn, error } = console;
  console.warn = (...args) => logged.push(args.join(' '));
  console.error = (...args) => logged.push(args.join(' '));
  try {
    return await collectResult(render(template));
  } finally {
    console.warn = warn;
    console.error = error;
    assert.deepEqual(logged, [], 'console output while rendering');
  }
}

/** The element's open tag and its declarative shadow root's content. */
function parts(output) {
  const match = output.match(
    /<oz-liveness-check([^>]*)><template shadowroot="open" shadowrootmode="open" shadowrootdelegatesfocus>([\s\S]*?)<\/template><\/oz-liveness-check>/,
  );
  assert.ok(match, `no declarative shadow root in ${output.slice(0, 300)}`);
  return { attributes: match[1], shadow: match[2] };
}

/** The button's text, Lit's part markers removed. */
function buttonLabel(shadow) {
  const button = shadow.match(/<button part="button" type="button"[^>]*>([\s\S]*?)<\/button>/);
  assert.ok(button, 'no button in the shadow root');
  return button[1].replace(/<!--[\s\S]*?-->|<\/?slot>/g, '').trim();
}

test('<oz-liveness-check lang="es"> renders its idle state in Spanish into a declarative shadow root', async () => {
  const output = await renderToString(
    html`<form><oz-liveness-check lang="es" name="liveness" required></oz-liveness-check></form>`,
  );
  const { attributes, shadow } = parts(output);
  assert.equal(buttonLabel(shadow), 'Iniciar prueba de vida');
  assert.equal(buttonLabel(shadow), strings.es.start);
  // Styled from the first paint: the element's styles are in the shadow root.
  assert.match(shadow, /^<style>:host\{/);
  assert.match(shadow, /<div part="base" class="base ">/);
  assert.match(shadow, /<p part="status" class="status " aria-live="polite" data-empty>/);
  // The host keeps its attributes and says which state it is in, as in the browser.
  assert.match(attributes, /\blang="es"/);
  assert.match(attributes, /\bname="liveness"/);
  assert.match(attributes, /\brequired\b/);
  assert.match(attributes, /\bstate="idle"/);
  // Hydration markers: the client picks this DOM up instead of rendering again.
  assert.match(shadow, /<!--lit-part [\w+/=]+-->/);
});

test('every language renders its own label on the server; no lang means English', async () => {
  const cases = [
    ['es', 'es'],
    ['es-MX', 'es'],
    ['pt-BR', 'pt-BR'],
    ['pt', 'pt-BR'],
    ['ru', 'ru'],
    ['kk', 'kk'],
    ['tr', 'tr'],
    ['de', 'en'],
  ];
  for (const [lang, expected] of cases) {
    const output = await renderToString(html`<oz-liveness-check lang=${lang}></oz-liveness-check>`);
    assert.equal(buttonLabel(parts(output).shadow), strings[expected].start, `lang="${lang}"`);
  }
  const plain = await renderToString(html`<oz-liveness-check></oz-liveness-check>`);
  assert.equal(buttonLabel(parts(plain).shadow), strings.en.start);
  // A slotted label is the page's light DOM: it stays outside the shadow root.
  const labelled = await renderToString(html`<oz-liveness-check>Verify</oz-liveness-check>`);
  assert.match(labelled, /<\/template>Verify<\/oz-liveness-check>/);
});

test("a disabled element renders a disabled button; the element's code read no browser-only global", async () => {
  const output = await renderToString(html`<oz-liveness-check disabled></oz-liveness-check>`);
  assert.match(parts(output).shadow, /<button part="button" type="button" +disabled/);
  assert.deepEqual(reads, []);
  assert.equal(globalThis.document, undefined);
});
