/**
 * Bundles the GraphiQL playground (gateway/playground/app.tsx) and Monaco's
 * web workers into gateway/playground/dist/, which the gateway serves itself
 * so the playground never contacts another host.
 *
 * Usage: npx tsx scripts/buildPlayground.ts [--force]
 *
 * Runs from postinstall, so it skips work when nothing that goes into the
 * bundle has changed, and it swaps the finished output in with renames so a
 * running gateway never serves a half-written dist/.
 */
import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { build, version as esbuildVersion, type Metafile, type Plugin } from 'esbuild';
import type { PlaygroundManifest } from '../gateway/playground/playgroundRouter';

const repoRoot = path.resolve(__dirname, '..');
const playgroundDir = path.join(repoRoot, 'gateway', 'playground');
export const playgroundDistDir = path.join(playgroundDir, 'dist');
const manifestFileName = 'manifest.json';
const assetsDirName = 'assets';

// Bumped by hand when the manifest layout changes, so an old dist is rebuilt.
const manifestVersion = 1;

const workerEntries = {
  editor: 'monaco-editor/esm/vs/editor/editor.worker.js',
  json: 'monaco-editor/esm/vs/language/json/json.worker.js',
  graphql: 'monaco-graphql/esm/graphql.worker.js',
} as const;

// Browsers the playground targets; older ones are not worth the bundle size.
const browserTarget = ['chrome111', 'edge111', 'firefox111', 'safari16.4'];

const sharedOptions = {
  absWorkingDir: repoRoot,
  bundle: true,
  minify: true,
  target: browserTarget,
  // graphql and react ship development-only checks behind this.
  define: { 'process.env.NODE_ENV': '"production"' },
  // MIT and similar licences require the notices to travel with the code.
  legalComments: 'linked',
  entryNames: '[name]-[hash]',
  assetNames: '[name]-[hash]',
  metafile: true,
  logLevel: 'warning',
} as const;

/**
 * graphiql/style.css already contains Monaco's stylesheet, so Monaco's own
 * per-module CSS imports would only duplicate it.
 */
const dropMonacoCss: Plugin = {
  name: 'drop-monaco-css',
  setup(pluginBuild) {
    pluginBuild.onResolve({ filter: /\.css$/ }, (args) =>
      /[\\/]node_modules[\\/]monaco-editor[\\/]/.test(args.importer) ? { path: args.path, namespace: 'monaco-css-dropped' } : undefined,
    );
    pluginBuild.onLoad({ filter: /.*/, namespace: 'monaco-css-dropped' }, () => ({
      contents: '',
      loader: 'js',
    }));
  },
};

/**
 * @graphiql/toolkit lazy-loads graphql-ws only for websocket subscriptions,
 * which the playground does not configure; stubbing it keeps the bundle from
 * depending on whichever graphql-ws happens to be hoisted.
 */
const stubGraphqlWs: Plugin = {
  name: 'stub-graphql-ws',
  setup(pluginBuild) {
    pluginBuild.onResolve({ filter: /^graphql-ws$/ }, () => ({
      path: 'graphql-ws',
      namespace: 'graphql-ws-stub',
    }));
    pluginBuild.onLoad({ filter: /.*/, namespace: 'graphql-ws-stub' }, () => ({
      contents: 'export function createClient() { throw new Error("websocket subscriptions are not available in the gateway playground"); }',
      loader: 'js',
    }));
  },
};

type BuildOutcome = { skipped: boolean; manifest: PlaygroundManifest; millis: number };

export async function buildPlayground(options: { force?: boolean } = {}): Promise<BuildOutcome> {
  const started = Date.now();
  // This script and the tsconfig (which steers JSX) shape the output but are
  // not esbuild metafile inputs.
  const buildConfig = Buffer.concat([await readFile(__filename), await readFile(path.join(playgroundDir, 'tsconfig.json'))]);

  if (!options.force) {
    const current = await readCurrentManifest();
    if (current && (await fingerprintOf(current.inputs, buildConfig)) === current.fingerprint) {
      return { skipped: true, manifest: current, millis: Date.now() - started };
    }
  }

  // Staging lives under node_modules/.cache: same filesystem as the repo (so
  // rename works) and already git-ignored if a crash leaves it behind.
  const stagingDir = path.join(repoRoot, 'node_modules', '.cache', `playground-build-${process.pid}`);
  const assetsDir = path.join(stagingDir, assetsDirName);
  await rm(stagingDir, { recursive: true, force: true });
  await mkdir(assetsDir, { recursive: true });

  try {
    // The workers are separate builds: each must be a self-contained classic
    // script that `new Worker(url)` can load without module support.
    const workerBuild = await build({
      ...sharedOptions,
      entryPoints: Object.entries(workerEntries).map(([label, entry]) => ({ in: entry, out: `${label}.worker` })),
      outdir: assetsDir,
      format: 'iife',
      plugins: [dropMonacoCss],
    });

    const appBuild = await build({
      ...sharedOptions,
      entryPoints: [{ in: path.join(playgroundDir, 'app.tsx'), out: 'app' }],
      outdir: assetsDir,
      format: 'iife',
      jsx: 'automatic',
      tsconfig: path.join(playgroundDir, 'tsconfig.json'),
      // The page needs a full-height root; keeping it in the stylesheet spares
      // the HTML an inline <style>.
      banner: { css: 'html,body,#root{height:100%;margin:0}' },
      // Anything a stylesheet references is emitted as a file served by the
      // gateway; fonts are already inlined as data: URLs by graphiql.
      loader: { '.ttf': 'file', '.woff': 'file', '.woff2': 'file', '.svg': 'file', '.png': 'file' },
      plugins: [dropMonacoCss, stubGraphqlWs],
    });

    const outputs = { ...workerBuild.metafile.outputs, ...appBuild.metafile.outputs };
    const inputs = [...new Set([...Object.keys(workerBuild.metafile.inputs), ...Object.keys(appBuild.metafile.inputs)])]
      .filter((input) => !input.includes(':'))
      .sort();

    const files: PlaygroundManifest['files'] = {};
    for (const outputPath of Object.keys(outputs).sort()) {
      const fileName = path.basename(outputPath);
      const content = await readFile(path.join(repoRoot, outputPath));
      // Precompressed once here so the gateway needs no compression middleware.
      const gzipped = gzipSync(content, { level: 9 });
      const worthCompressing = gzipped.length < content.length * 0.9;
      if (worthCompressing) {
        await writeFile(path.join(assetsDir, `${fileName}.gz`), gzipped);
      }
      files[fileName] = { bytes: content.length, gzipBytes: worthCompressing ? gzipped.length : null };
    }

    const appOutput = entryOutput(appBuild.metafile, 'app');
    const manifest: PlaygroundManifest = {
      version: manifestVersion,
      esbuild: esbuildVersion,
      fingerprint: await fingerprintOf(inputs, buildConfig),
      app: { js: appOutput.js, css: requireCss(appOutput, 'app') },
      workers: {
        editor: entryOutput(workerBuild.metafile, 'editor.worker').js,
        json: entryOutput(workerBuild.metafile, 'json.worker').js,
        graphql: entryOutput(workerBuild.metafile, 'graphql.worker').js,
      },
      files,
      inputs,
    };
    await writeFile(path.join(stagingDir, manifestFileName), `${JSON.stringify(manifest, null, 2)}\n`);

    await swapInto(stagingDir, playgroundDistDir);
    return { skipped: false, manifest, millis: Date.now() - started };
  } finally {
    await rm(stagingDir, { recursive: true, force: true });
  }
}

/** Output file names (JS and, if any, its CSS bundle) of the entry point `name`. */
function entryOutput(metafile: Metafile, name: string): { js: string; css: string | undefined } {
  for (const [outputPath, output] of Object.entries(metafile.outputs)) {
    const fileName = path.basename(outputPath);
    if (output.entryPoint !== undefined && fileName.startsWith(`${name}-`) && fileName.endsWith('.js')) {
      return { js: fileName, css: output.cssBundle === undefined ? undefined : path.basename(output.cssBundle) };
    }
  }
  throw new Error(`esbuild produced no output for entry point ${name}`);
}

function requireCss(output: { css: string | undefined }, name: string): string {
  if (output.css === undefined) {
    throw new Error(`esbuild produced no CSS bundle for ${name}`);
  }
  return output.css;
}

async function readCurrentManifest(): Promise<PlaygroundManifest | null> {
  try {
    const manifest = JSON.parse(await readFile(path.join(playgroundDistDir, manifestFileName), 'utf8')) as PlaygroundManifest;
    if (manifest.version !== manifestVersion || manifest.esbuild !== esbuildVersion) {
      return null;
    }
    for (const fileName of Object.keys(manifest.files)) {
      await stat(path.join(playgroundDistDir, assetsDirName, fileName));
    }
    return manifest;
  } catch {
    return null;
  }
}

/**
 * Content hash of every file that went into the bundle, as reported by
 * esbuild's metafile. Hashing content rather than package versions catches
 * patched or relinked node_modules too, and npm does not keep useful mtimes.
 */
async function fingerprintOf(inputs: readonly string[], buildConfig: Buffer): Promise<string> {
  const hash = createHash('sha256');
  hash.update(`v${manifestVersion} esbuild ${esbuildVersion}\n`);
  hash.update(buildConfig);
  for (const input of inputs) {
    hash.update(`\n${input}\n`);
    try {
      hash.update(await readFile(path.join(repoRoot, input)));
    } catch {
      // A vanished input means the dependency tree changed: force a rebuild.
      hash.update(`missing ${Date.now()} ${Math.random()}`);
    }
  }
  return hash.digest('hex');
}

async function swapInto(stagingDir: string, targetDir: string): Promise<void> {
  const retiredDir = path.join(path.dirname(stagingDir), `playground-retired-${process.pid}`);
  await rm(retiredDir, { recursive: true, force: true });
  try {
    await rename(targetDir, retiredDir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
      throw error;
    }
  }
  await rename(stagingDir, targetDir);
  await rm(retiredDir, { recursive: true, force: true });
}

function formatBytes(bytes: number): string {
  return `${(bytes / 1024).toFixed(0)} KiB`;
}

if (require.main === module) {
  buildPlayground({ force: process.argv.includes('--force') })
    .then(({ skipped, manifest, millis }) => {
      const relativeDist = path.relative(process.cwd(), playgroundDistDir) || '.';
      if (skipped) {
        console.log(`playground: ${relativeDist} is up to date (checked in ${millis} ms)`);
        return;
      }
      const totals = Object.values(manifest.files).reduce((sum, file) => ({ bytes: sum.bytes + file.bytes, gzip: sum.gzip + (file.gzipBytes ?? file.bytes) }), {
        bytes: 0,
        gzip: 0,
      });
      console.log(`playground: built ${relativeDist} in ${millis} ms ` + `(${formatBytes(totals.bytes)}, ${formatBytes(totals.gzip)} gzip)`);
      for (const [fileName, file] of Object.entries(manifest.files)) {
        const gzip = file.gzipBytes === null ? '' : `, ${formatBytes(file.gzipBytes)} gzip`;
        console.log(`  ${fileName}  ${formatBytes(file.bytes)}${gzip}`);
      }
    })
    .catch((error: unknown) => {
      console.error('playground: build failed');
      console.error(error);
      process.exitCode = 1;
    });
}
