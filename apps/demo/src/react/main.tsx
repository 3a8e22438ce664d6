import '../shared/demo.css';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { renderCodePanel } from '../shared/code-panel.js';
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
    note: 'Props and onoz-liveness-* events straight on the tag; React state follows the events. The type-only import gives JSX the tag and its typed events.',
    language: 'typescript',
    code: formSource,
  },
]);
