// Minifies the text of Lit's css`` and html`` templates in dist, after tsc. An app's bundler
// (esbuild, terser) never touches a template literal's text, so indentation and CSS comments
// would otherwise reach every page that uses the element. The source stays readable.
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import remapping from '@jridgewell/remapping';
import { minifyHTMLLiterals } from '@literals/html-css-minifier';

const dist = new URL('../dist/', import.meta.url).pathname;

for (const name of await readdir(dist, { recursive: true })) {
  if (!name.endsWith('.js')) continue;
  const file = join(dist, name);
  const source = await readFile(file, 'utf8');
  if (!/\b(css|html)\s*`/.test(source)) continue;
  const result = await minifyHTMLLiterals(source, { fileName: file });
  if (!result) continue;
  await writeFile(file, result.code);
  // tsc's map points at src/*.ts; chain it behind the minifier's so it still does.
  const tscMap = JSON.parse(await readFile(`${file}.map`, 'utf8'));
  const map = remapping([result.map, tscMap], () => null, { excludeContent: true });
  map.file = tscMap.file;
  await writeFile(`${file}.map`, JSON.stringify(map));
}
