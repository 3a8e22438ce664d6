import '../shared/demo.css';
import { renderCodePanel } from '../shared/code-panel.js';
import formHtml from './signup-form.html?raw';
import formScript from './signup-form.ts?raw';

document.querySelector('#app')!.innerHTML = formHtml;
renderCodePanel(document.querySelector('#code')!, [
  {
    title: 'signup-form.html',
    note: 'The tag is a form field: its value is the signed receipt, valid only on ACCEPT.',
    language: 'xml',
    code: formHtml,
  },
  {
    title: 'signup-form.ts',
    note: 'Register the tag, listen to its events, post the form.',
    language: 'typescript',
    code: formScript,
  },
]);
void import('./signup-form.js');
