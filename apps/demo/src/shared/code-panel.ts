import hljs from 'highlight.js/lib/core';
import css from 'highlight.js/lib/languages/css';
import javascript from 'highlight.js/lib/languages/javascript';
import typescript from 'highlight.js/lib/languages/typescript';
import xml from 'highlight.js/lib/languages/xml';
import 'highlight.js/styles/github-dark.css';

hljs.registerLanguage('typescript', typescript);
hljs.registerLanguage('xml', xml);
// The xml grammar highlights <script> blocks (Vue, Svelte) with this one.
hljs.registerLanguage('javascript', javascript);
hljs.registerLanguage('css', css);

export interface CodeSample {
  /** Heading above the block, e.g. "SignupForm.vue". */
  title: string;
  /** One sentence on why these lines matter. */
  note?: string;
  language: 'typescript' | 'xml' | 'css';
  code: string;
}

/**
 * Renders the integration code shown beside each running example. The samples are the real
 * source files, imported with `?raw`, so what the page shows is exactly what it runs.
 */
export function renderCodePanel(host: Element, samples: readonly CodeSample[]): void {
  for (const sample of samples) {
    const figure = document.createElement('figure');
    figure.className = 'code-sample';
    const caption = document.createElement('figcaption');
    const title = document.createElement('span');
    title.className = 'code-title';
    title.textContent = sample.title;
    caption.append(title);
    if (sample.note) {
      const note = document.createElement('span');
      note.className = 'code-note';
      note.textContent = sample.note;
      caption.append(note);
    }
    const pre = document.createElement('pre');
    pre.tabIndex = 0; // scrollable regions must be reachable by keyboard
    pre.setAttribute('aria-label', `${sample.title} source`);
    const code = document.createElement('code');
    code.className = `hljs language-${sample.language}`;
    code.innerHTML = hljs.highlight(sample.code.trimEnd(), { language: sample.language }).value;
    pre.append(code);
    figure.append(caption, pre);
    host.append(figure);
  }
}
