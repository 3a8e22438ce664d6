// Importing the package during server-side rendering (Node, no DOM) must not throw or touch the
// DOM: the sources are bundled for Node exactly as a framework's SSR build would, Lit resolved
// through its own "node" export condition.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';

const root = fileURLToPath(new URL('..', import.meta.url));

/** Bundles sources for Node as an SSR build would; packages stay external. */
function bundleForNode(entries, outdir) {
  return build({
    entryPoints: entries.map((entry) => join(root, entry)),
    outdir,
    bundle: true,
    platform: 'node',
    format: 'esm',
    packages: 'external',
    tsconfig: join(root, 'tsconfig.json'),
    logLevel: 'silent',
  });
}

test('the main entry and ./define import in Node without a DOM', async () => {
  const outdir = await mkdtemp(join(root, 'node_modules', '.ssr-test-'));
  try {
    await bundleForNode(['src/index.ts', 'src/define.ts'], outdir);
    assert.equal(typeof globalThis.document, 'undefined');
    const main = await import(pathToFileURL(join(outdir, 'index.js')).href);
    assert.equal(typeof main.OzLivenessCheck, 'function');
    assert.equal(main.ErrorCode.CAMERA_DENIED, 'CAMERA_DENIED');
    const define = await import(pathToFileURL(join(outdir, 'define.js')).href);
    assert.equal(define.tagName, 'oz-liveness-check');
    assert.equal(typeof globalThis.document, 'undefined');
  } finally {
    await rm(outdir, { recursive: true, force: true });
  }
});

test('the ./react wrapper renders on the server', async () => {
  const outdir = await mkdtemp(join(root, 'node_modules', '.ssr-test-'));
  try {
    await bundleForNode(['src/react.ts'], outdir);
    const { createElement } = await import('react');
    const { renderToString } = await import('react-dom/server');
    const { OzLivenessCheck } = await import(pathToFileURL(join(outdir, 'react.js')).href);
    const warnings = [];
    const error = console.error;
    console.error = (...args) => warnings.push(args.join(' '));
    try {
      const html = renderToString(
        createElement(OzLivenessCheck, { name: 'liveness', onOzLivenessResult: () => {} }),
      );
      assert.match(html, /^<oz-liveness-check name="liveness"[^>]*><\/oz-liveness-check>$/);
      assert.doesNotMatch(html, /onOzLiveness/);
    } finally {
      console.error = error;
    }
    assert.deepEqual(warnings, []);
    assert.equal(typeof globalThis.document, 'undefined');
  } finally {
    await rm(outdir, { recursive: true, force: true });
  }
});
