// Every language, loaded with the module: what the server entries import. In the browser the
// other languages stay separate chunks fetched on first use (see index.ts).
import { es } from './es.js';
import { provideStrings } from './index.js';
import { kk } from './kk.js';
import { ptBR } from './pt-BR.js';
import { ru } from './ru.js';
import { tr } from './tr.js';

provideStrings({ es, 'pt-BR': ptBR, ru, kk, tr });
