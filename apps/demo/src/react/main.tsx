import '../shared/demo.css';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { renderCodePanel } from '../shared/code-panel.js';
import typesSource from './oz-liveness-check-jsx.d.ts?raw';
import { SignupForm } from './signup-form.js';
import formSource from './signup-form.tsx?raw';

createRoot(document.querySelector('#app')!).render(
  <StrictMode>
    <SignupForm />
  </StrictMode>,
);

renderCodePanel(document.querySelector('#code')!, [
  {
    title: 'signup-form.tsx',
    note: 'Props and onoz-liveness-* events straight on the tag; React state follows the events.',
    language: 'typescript',
    code: formSource,
  },
  {
    title: 'oz-liveness-check-jsx.d.ts',
    note: 'Only for TypeScript: declares the tag and its typed events for JSX.',
    language: 'typescript',
    code: typesSource,
  },
]);
