import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const PACKAGES = fileURLToPath(new URL('../../../packages/', import.meta.url));

/** The public packages, by folder under packages/. */
export type PackageFolder = 'element' | 'gateway' | 'oz-client' | 'sandbox';

/**
 * Packs workspace packages as they would be published (`pnpm pack`: `files`, `exports`, and
 * `workspace:` versions rewritten to real ones) into `destination`; resolves to the tarballs'
 * paths, in the order asked. The packages must be built.
 */
export async function packWorkspacePackages(
  folders: PackageFolder[],
  destination: string,
): Promise<string[]> {
  return Promise.all(
    folders.map(async (folder) => {
      const { stdout } = await run('pnpm', ['pack', '--json', '--pack-destination', destination], {
        cwd: PACKAGES + folder,
      });
      return (JSON.parse(stdout) as { filename: string }).filename;
    }),
  );
}
