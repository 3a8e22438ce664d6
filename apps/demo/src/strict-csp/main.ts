import '../shared/demo.css';
import { OzLivenessCheck } from '@oz-liveness/element';
import { TRUSTED_ORIGINS_ID } from '../shared/demo-config.js';
// The same form logic as the plain HTML page: nothing in it needs a change under this policy.
import '../vanilla/signup-form.js';

// The plugin comes from the sandbox's origin, which only the server knows (its port is chosen at
// start); it writes it into the page as data. A real page would write the origin in its code.
OzLivenessCheck.trustedPluginOrigins = JSON.parse(
  document.getElementById(TRUSTED_ORIGINS_ID)?.textContent ?? '[]',
) as string[];
