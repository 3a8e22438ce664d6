import '../shared/demo.css';
import { mount } from 'svelte';
import { renderCodePanel } from '../shared/code-panel.js';
import SignupForm from './SignupForm.svelte';
import formSource from './SignupForm.svelte?raw';

mount(SignupForm, { target: document.querySelector('#app')! });

renderCodePanel(document.querySelector('#code')!, [
  {
    title: 'SignupForm.svelte',
    note: 'onoz-liveness-* event attributes on the tag; $state runes follow the events.',
    language: 'xml',
    code: formSource,
  },
]);
