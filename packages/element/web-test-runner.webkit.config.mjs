import { webkitLauncher } from './test/engine-launchers.mjs';
import { engineConfig } from './test/wtr-engines.mjs';

export default engineConfig(webkitLauncher());
