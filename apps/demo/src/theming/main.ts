import '../shared/demo.css';
import './theming-page.css';
import './themes.css';
import '@oz-liveness/element/define';
import { renderCodePanel } from '../shared/code-panel.js';
import themesSource from './themes.css?raw';

renderCodePanel(document.querySelector('#code')!, [
  {
    title: 'themes.css',
    note: 'Custom properties for colours, shape and type; ::part() for the rest.',
    language: 'css',
    code: themesSource,
  },
]);
