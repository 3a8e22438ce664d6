import '../shared/demo.css';
import { createApp } from 'vue';
import { renderCodePanel } from '../shared/code-panel.js';
import SignupForm from './SignupForm.vue';
import formSource from './SignupForm.vue?raw';
import optionsSource from './vue-options.ts?raw';

createApp(SignupForm).mount('#app');

renderCodePanel(document.querySelector('#code')!, [
  {
    title: 'vite.config.ts → vue(vueOptions)',
    note: 'Tell the template compiler which tags are custom elements.',
    language: 'typescript',
    code: optionsSource,
  },
  {
    title: 'SignupForm.vue',
    note: 'Plain attributes and @oz-liveness-* listeners; refs follow the events.',
    language: 'xml',
    code: formSource,
  },
]);
