#!/usr/bin/env node
import { DEFAULT_CREDENTIALS } from './options.js';
import { startSandbox } from './server.js';

/**
 * `oz-sandbox`: runs the sandbox until SIGINT/SIGTERM.
 * Env: PORT (4010), HOST (127.0.0.1), SANDBOX_EMAIL, SANDBOX_PASSWORD, SANDBOX_REQUIRE_AUTH
 * (true), SANDBOX_MAX_BODY_BYTES, SANDBOX_SESSION_TOKEN_TTL_S, SANDBOX_ACCESS_TOKEN_TTL_S,
 * SANDBOX_LOG_REQUESTS (true), SANDBOX_CLIP_MS (1500).
 */

function fail(message: string): never {
  console.error(`oz-sandbox: ${message}`);
  process.exit(1);
}

function numberEnv(name: string, integer = false): number | undefined {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return undefined;
  const value = Number(raw);
  if (!Number.isFinite(value) || (integer && !Number.isInteger(value))) {
    fail(`${name} must be a${integer ? 'n integer' : ' number'}, got "${raw}"`);
  }
  return value;
}

function booleanEnv(name: string, fallback: boolean): boolean {
  const raw = process.env[name]?.trim().toLowerCase();
  if (raw === undefined || raw === '') return fallback;
  if (['1', 'true', 'yes', 'on'].includes(raw)) return true;
  if (['0', 'false', 'no', 'off'].includes(raw)) return false;
  fail(`${name} must be true or false, got "${process.env[name]}"`);
}

async function main(): Promise<void> {
  const email = process.env.SANDBOX_EMAIL || DEFAULT_CREDENTIALS.email;
  const password = process.env.SANDBOX_PASSWORD || DEFAULT_CREDENTIALS.password;
  let sandbox: Awaited<ReturnType<typeof startSandbox>>;
  try {
    sandbox = await startSandbox({
      port: numberEnv('PORT', true) ?? 4010,
      host: process.env.HOST || '127.0.0.1',
      credentials: { email, password },
      requireAuth: booleanEnv('SANDBOX_REQUIRE_AUTH', true),
      maxBodyBytes: numberEnv('SANDBOX_MAX_BODY_BYTES', true),
      sessionTokenTtlS: numberEnv('SANDBOX_SESSION_TOKEN_TTL_S'),
      accessTokenTtlS: numberEnv('SANDBOX_ACCESS_TOKEN_TTL_S'),
      logRequests: booleanEnv('SANDBOX_LOG_REQUESTS', true),
      clipDurationMs: numberEnv('SANDBOX_CLIP_MS', true),
    });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE')
      fail(`port ${process.env.PORT ?? 4010} is already in use (set PORT)`);
    fail((error as Error).message);
  }
  // The password is never printed: it may be a real-looking secret set through the env.
  console.log(`Oz sandbox listening on ${sandbox.url}`);
  console.log(`  login: ${email} (password from SANDBOX_PASSWORD or the default)`);
  console.log(`  Web Plugin stand-in: ${sandbox.url}/plugin_liveness.php`);
  console.log(`  control API: ${sandbox.url}/sandbox/`);

  const stop = (signal: string) => {
    console.log(`oz-sandbox: ${signal}, stopping`);
    sandbox.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGINT', () => stop('SIGINT'));
  process.once('SIGTERM', () => stop('SIGTERM'));
}

await main();
