/**
 * Bundles the certification staff console (gateway/console/app/) into
 * gateway/console/dist/, which the gateway serves at /console itself.
 *
 * Usage: npx tsx scripts/buildConsole.ts [--force]
 *
 * Runs from postinstall: it skips the build when no input changed (the
 * esbuild metafile lists them) and swaps the output in with renames, so a
 * running gateway never serves a half-written dist/.
 */
import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { build, version as esbuildVersion } from 'esbuild';
import type { ConsoleManifest } from '../gateway/console/consoleRouter';

const repoRoot = path.resolve(__dirname, '..');
const consoleDir = path.join(repoRoot, 'gateway', 'console');
export const consoleDistDir = path.join(consoleDir, 'dist');
// Bumped by hand when the manifest layout changes, so an old dist is rebuilt.
const manifestVersion = 1;

type BuildOutcome = { skipped: boolean; manifest: ConsoleManifest; millis: number };

export async function buildConsole(options: { force?: boolean } = {}): Promise<BuildOutcome> {
  const started = Date.now();
  const buildConfig = Buffer.concat([await readFile(__filename), await readFile(path.join(consoleDir, 'tsconfig.json'))]);
  if (!options.force) {
    const current = await readCurrentManifest();
    if (current && (await fingerprintOf(current.inputs, buildConfig)) === current.fingerprint) {
      return { skipped: true, manifest: current, millis: Date.now() - started };
    }
  }
  const stagingDir = path.join(repoRoot, 'node_modules', '.cache', `console-build-${process.pid}`);
  const assetsDir = path.join(stagingDir, 'assets');
  await rm(stagingDir, { recursive: true, force: true });
  await mkdir(assetsDir, { recursive: true });
  try {
    const result = await build({
      absWorkingDir: repoRoot,
      entryPoints: [{ in: path.join(consoleDir, 'app', 'main.tsx'), out: 'console' }],
      outdir: assetsDir,
      bundle: true,
      minify: true,
      format: 'iife',
      target: ['chrome111', 'edge111', 'firefox111', 'safari16.4'],
      jsx: 'automatic',
      tsconfig: path.join(consoleDir, 'tsconfig.json'),
      define: { 'process.env.NODE_ENV': '"production"' },
      legalComments: 'linked',
      entryNames: '[name]-[hash]',
      metafile: true,
      logLevel: 'warning',
      // The page needs a full-height root; kept in the stylesheet so the HTML has no inline <style>.
      banner: { css: 'html,body,#root{height:100%;margin:0}' },
    });
    const inputs = Object.keys(result.metafile.inputs)
      .filter((input) => !input.includes(':'))
      .sort();
    const files: ConsoleManifest['files'] = {};
    let js: string | undefined;
    let css: string | undefined;
    for (const [outputPath, output] of Object.entries(result.metafile.outputs)) {
      const fileName = path.basename(outputPath);
      if (output.entryPoint !== undefined && fileName.endsWith('.js')) {
        js = fileName;
        css = output.cssBundle === undefined ? undefined : path.basename(output.cssBundle);
      }
      const content = await readFile(path.join(repoRoot, outputPath));
      // Precompressed here so the gateway needs no compression middleware.
      const gzipped = gzipSync(content, { level: 9 });
      const worthIt = gzipped.length < content.length * 0.9;
      if (worthIt) await writeFile(path.join(assetsDir, `${fileName}.gz`), gzipped);
      files[fileName] = { bytes: content.length, gzipBytes: worthIt ? gzipped.length : null };
    }
    if (!js || !css) throw new Error('esbuild produced no script or no stylesheet for the console');
    // A source saved while esbuild ran may be in the fingerprint but not in the
    // bundle: then the next run must build again.
    const changedDuringBuild = (
      await Promise.all(
        inputs.map((input) =>
          stat(path.join(repoRoot, input)).then(
            (stats) => stats.mtimeMs >= started,
            () => true,
          ),
        ),
      )
    ).some(Boolean);
    const manifest: ConsoleManifest = {
      version: manifestVersion,
      esbuild: esbuildVersion,
      fingerprint: changedDuringBuild ? `changed during the build at ${started}` : await fingerprintOf(inputs, buildConfig),
      app: { js, css },
      files,
      inputs,
    };
    await writeFile(path.join(stagingDir, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
    const retiredDir = path.join(path.dirname(stagingDir), `console-retired-${process.pid}`);
    await rm(retiredDir, { recursive: true, force: true });
    await rename(consoleDistDir, retiredDir).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== 'ENOENT') throw error;
    });
    await rename(stagingDir, consoleDistDir);
    await rm(retiredDir, { recursive: true, force: true });
    return { skipped: false, manifest, millis: Date.now() - started };
  } finally {
    await rm(stagingDir, { recursive: true, force: true });
  }
}

async function readCurrentManifest(): Promise<ConsoleManifest | null> {
  try {
    const manifest = JSON.parse(await readFile(path.join(consoleDistDir, 'manifest.json'), 'utf8')) as ConsoleManifest;
    if (manifest.version !== manifestVersion || manifest.esbuild !== esbuildVersion) return null;
    for (const fileName of Object.keys(manifest.files)) await stat(path.join(consoleDistDir, 'assets', fileName));
    return manifest;
  } catch {
    return null;
  }
}

/** Content hash of every input esbuild reported: catches patched node_modules and edited sources alike. */
async function fingerprintOf(inputs: readonly string[], buildConfig: Buffer): Promise<string> {
  const hash = createHash('sha256');
  hash.update(`v${manifestVersion} esbuild ${esbuildVersion}\n`);
  hash.update(buildConfig);
  for (const input of inputs) {
    hash.update(`\n${input}\n`);
    try {
      hash.update(await readFile(path.join(repoRoot, input)));
    } catch {
      hash.update(`missing ${Date.now()} ${Math.random()}`);
    }
  }
  return hash.digest('hex');
}

if (require.main === module) {
  buildConsole({ force: process.argv.includes('--force') })
    .then(({ skipped, manifest, millis }) => {
      const relativeDist = path.relative(process.cwd(), consoleDistDir) || '.';
      if (skipped) {
        console.log(`console: ${relativeDist} is up to date (checked in ${millis} ms)`);
        return;
      }
      const kib = (bytes: number) => `${(bytes / 1024).toFixed(0)} KiB`;
      const total = Object.values(manifest.files).reduce((sum, file) => sum + (file.gzipBytes ?? file.bytes), 0);
      console.log(`console: built ${relativeDist} in ${millis} ms (${kib(total)} gzip)`);
    })
    .catch((error: unknown) => {
      console.error('console: build failed');
      console.error(error);
      process.exitCode = 1;
    });
}
