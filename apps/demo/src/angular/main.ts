import '../shared/demo.css';
import { provideZonelessChangeDetection } from '@angular/core';
import { bootstrapApplication } from '@angular/platform-browser';
import { renderCodePanel } from '../shared/code-panel.js';
import { SignupFormComponent } from './signup-form.component.js';
import componentSource from './signup-form.component.ts?raw';

bootstrapApplication(SignupFormComponent, {
  providers: [provideZonelessChangeDetection()],
}).catch((error: unknown) => console.error(error));

renderCodePanel(document.querySelector('#code')!, [
  {
    title: 'signup-form.component.ts',
    note: 'CUSTOM_ELEMENTS_SCHEMA, (oz-liveness-*) event bindings and signals.',
    language: 'typescript',
    code: componentSource,
  },
]);
