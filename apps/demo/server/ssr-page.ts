import { GRAPHQL_ENDPOINT, PLUGIN_SRC } from '../src/shared/demo-config.js';

/** In `ssr/index.html`: where the server-rendered element goes. */
const CHECK_MARKER = '<!-- oz-demo:ssr-check -->';

type Renderer = (binding: string) => Promise<string>;
let renderer: Promise<Renderer> | undefined;

/**
 * The built `/ssr/` page with `<oz-liveness-check>` rendered into it by `@lit-labs/ssr`: its
 * idle state in a declarative shadow root, in Spanish, with this visitor's binding already set,
 * so the button is there and laid out before any script runs.
 */
export async function renderSsrPage(template: string, binding: string): Promise<string> {
  renderer ??= loadRenderer();
  const check = await (await renderer)(binding);
  return template.replace(CHECK_MARKER, () => check);
}

// Loaded on the first request: Lit's server build and its DOM shim stay out of the processes
// that only build or serve the other pages.
async function loadRenderer(): Promise<Renderer> {
  const [{ html, render }, { collectResult }] = await Promise.all([
    import('@lit-labs/ssr'),
    import('@lit-labs/ssr/lib/render-result.js'),
    // Under Node's "node" export condition: registers the tag with every language loaded.
    import('@oz-liveness/element/define'),
  ]);
  // A server-only template: the page around the element is not hydrated, the element is.
  return (binding) =>
    collectResult(
      render(html`<oz-liveness-check
        name="liveness"
        required
        lang="es"
        endpoint=${GRAPHQL_ENDPOINT}
        plugin-src=${PLUGIN_SRC}
        binding=${binding}
      ></oz-liveness-check>`),
    );
}
