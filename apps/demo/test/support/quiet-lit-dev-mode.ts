// Vitest starts its workers with Node's "development" condition, so the demo server in a test
// renders /ssr/ with Lit's development build, which announces itself once on stderr. `pnpm start`
// uses the production build. Only that one notice is silenced: every other Lit warning stays.
const lit = globalThis as { litIssuedWarnings?: Set<string> };
lit.litIssuedWarnings ??= new Set<string>();
lit.litIssuedWarnings.add('dev-mode');
