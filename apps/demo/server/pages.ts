/** The demo's pages: one Vite HTML entry each, listed once so the build and the nav agree. */
export interface DemoPage {
  /** Folder under the app root holding `index.html` ('' for the landing page). */
  readonly dir: string;
  /** Short label in the site navigation. */
  readonly label: string;
}

export const demoPages: readonly DemoPage[] = [
  { dir: '', label: 'Overview' },
  { dir: 'vanilla', label: 'HTML + JS' },
  { dir: 'react', label: 'React' },
  { dir: 'vue', label: 'Vue' },
  { dir: 'svelte', label: 'Svelte' },
  { dir: 'angular', label: 'Angular' },
  { dir: 'theming', label: 'Theming' },
  { dir: 'strict-csp', label: 'Strict CSP' },
  { dir: 'ssr', label: 'SSR' },
];

/** URL path of a page, always with a trailing slash (`/react/`). */
export function pagePath(page: DemoPage): string {
  return page.dir === '' ? '/' : `/${page.dir}/`;
}
