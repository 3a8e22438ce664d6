import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface TempApp {
  dir: string;
  remove(): Promise<void>;
}

/**
 * A fresh folder under the OS temp dir, outside the workspace: nothing in it can resolve a
 * package through the monorepo's node_modules, links or hoisting.
 */
export async function makeTempApp(prefix: string, packageJson: object): Promise<TempApp> {
  const dir = await mkdtemp(join(tmpdir(), `oz-consumer-${prefix}-`));
  await writeFile(join(dir, 'package.json'), `${JSON.stringify(packageJson, null, 2)}\n`);
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}

export interface NpmInstallOptions {
  /** `--ignore-scripts`: for apps none of whose dependencies needs an install script (faster). */
  ignoreScripts?: boolean;
}

/**
 * `npm install` in the app, as a new user would: tarballs and registry packages, no workspace.
 * `--prefer-offline` uses npm's cache when it has a package (the registry otherwise); no
 * lockfile is written, the folder is thrown away.
 */
export async function npmInstall(
  dir: string,
  specs: string[],
  options: NpmInstallOptions = {},
): Promise<void> {
  const flags = ['--no-audit', '--no-fund', '--prefer-offline', '--no-package-lock'];
  if (options.ignoreScripts) flags.push('--ignore-scripts');
  await run('npm', ['install', ...flags, '--loglevel=error', ...specs], {
    cwd: dir,
    maxBuffer: 16 * 1024 * 1024,
  });
}
