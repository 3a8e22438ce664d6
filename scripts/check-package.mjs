// `turbo run lint:package` (part of `pnpm lint`): checks the package in the current folder as npm
// would ship it, from the tarball `pnpm pack` makes (workspace: versions already rewritten):
//   - publint: no error, warning or suggestion;
//   - @arethetypeswrong/core: no problem for ESM consumers (node16 from ESM, bundler); the
//     packages are ESM only, so CommonJS `require` and node10 resolution are out of scope;
//   - the LICENSE is in the tarball and is the repository's;
//   - every source map points only at sources that are in the tarball too.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, posix } from 'node:path';
import { checkPackage, createPackageFromTarballData } from '@arethetypeswrong/core';
import { unpack } from '@publint/pack';
import { publint } from 'publint';
import { formatMessage } from 'publint/utils';

const ESM_ONLY_IGNORED = new Set(['node10', 'node16-cjs']);

const pkgDir = process.cwd();
const pkg = JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8'));
const problems = [];

const destination = mkdtempSync(join(tmpdir(), 'oz-check-package-'));
let tarball;
try {
  const out = execFileSync('pnpm', ['pack', '--json', '--pack-destination', destination], {
    cwd: pkgDir,
    encoding: 'utf8',
  });
  tarball = readFileSync(JSON.parse(out).filename);
} finally {
  rmSync(destination, { recursive: true, force: true });
}

const { files, rootDir } = await unpack(tarball);
const { messages } = await publint({ pkgDir: rootDir, pack: { files } });
for (const message of messages) {
  problems.push(`publint ${message.type}: ${formatMessage(message, pkg) ?? message.code}`);
}

const analysis = await checkPackage(createPackageFromTarballData(new Uint8Array(tarball)));
if (!analysis.types) problems.push('attw: the package ships no types');
for (const problem of analysis.problems ?? []) {
  // Problems tied to one resolution carry it as resolutionKind, internal ones as resolutionOption.
  const kind = problem.resolutionKind ?? problem.resolutionOption;
  if (ESM_ONLY_IGNORED.has(kind)) continue;
  problems.push(`attw ${problem.kind}: ${JSON.stringify(problem)}`);
}

const shipped = new Map(files.map((file) => [file.name.slice(rootDir.length + 1), file.data]));
const license = shipped.get('LICENSE');
const rootLicense = readFileSync(new URL('../LICENSE', import.meta.url));
if (!license) problems.push('LICENSE is not in the tarball');
else if (!rootLicense.equals(Buffer.from(license)))
  problems.push("the package's LICENSE differs from the repository's");
if (pkg.license !== 'MIT') problems.push(`package.json says license ${pkg.license}, not MIT`);

for (const [name, data] of shipped) {
  if (!name.endsWith('.map')) continue;
  const map = JSON.parse(Buffer.from(data).toString('utf8'));
  for (const source of map.sources ?? []) {
    const path = posix.normalize(posix.join(posix.dirname(name), map.sourceRoot ?? '', source));
    if (!shipped.has(path)) problems.push(`${name} points at ${path}, which is not shipped`);
  }
}

if (problems.length > 0) {
  console.error(`${pkg.name}: ${problems.length} problem(s) in the packed tarball`);
  for (const problem of problems.slice(0, 30)) console.error(`  - ${problem}`);
  process.exit(1);
}
console.log(
  `${pkg.name}: publint, attw (ESM), LICENSE and source maps clean (${shipped.size} files)`,
);
