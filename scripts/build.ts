// The production build: compiles every runtime TypeScript file (the generated
// Prisma clients and resolver types included) to CommonJS, file by file, into
// dist/app/ with the repository's layout, so every path the code computes from
// __dirname (schema/, each subgraph's prisma/migrations, the playground bundle)
// holds in the build as in the checkout. Writes the composed supergraph and
// the persisted query manifest beside the code, and the partner contract into
// dist/shared/contract (the gateway reads it from ../shared/contract, as from a
// checkout). dist/ then runs with production dependencies only:
//
//   npm run build [-- --out-dir dist]       subgraph URLs from the usual settings
//   npm ci --omit=dev && npm run start:prod
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { build } from 'esbuild';
import { SUBGRAPH_NAMES, subgraphUrls } from '../common/topology';
import { composeSupergraph, CompositionError } from '../gateway/supergraph';

const root = resolve(__dirname, '..');

/** Folders whose TypeScript runs in production, and the command-line entry points among scripts/. */
const RUNTIME_FOLDERS = ['common', 'feed', 'gateway', 'subgraphs', 'demo', 'importer'];
const RUNTIME_SCRIPTS = ['entrypoint.ts', 'healthcheck.ts', 'start.ts', 'migrate.ts', 'compose.ts', 'token.ts', 'import.ts', 'platform.ts'];
// The playground's and the console's browser code is bundled by build:playground
// and build:console; their output is copied.
const BROWSER_ONLY = [join('gateway', 'playground', 'app.tsx')];
const BROWSER_ONLY_FOLDERS = [join('gateway', 'console', 'app'), join('gateway', 'console', 'generated'), join('gateway', 'console', 'dist')];

function typescriptFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      const skipped = entry.name === 'node_modules' || path.endsWith(join('playground', 'dist')) || BROWSER_ONLY_FOLDERS.includes(relative(root, path));
      return skipped ? [] : typescriptFiles(path);
    }
    return /\.tsx?$/.test(entry.name) && !entry.name.endsWith('.d.ts') ? [path] : [];
  });
}

function runtimeSources(): string[] {
  const sources = [...RUNTIME_FOLDERS.flatMap((folder) => typescriptFiles(join(root, folder))), ...RUNTIME_SCRIPTS.map((file) => join(root, 'scripts', file))];
  return sources.filter((file) => !BROWSER_ONLY.includes(relative(root, file)));
}

/** The packages compiled code may load at run time: package.json's dependencies, not its devDependencies. */
export function productionPackages(): Set<string> {
  const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
  return new Set(Object.keys(manifest.dependencies));
}

/** The package a bare specifier names (`@prisma/client/runtime/client` → `@prisma/client`), or null for builtins and paths. */
export function packageOf(specifier: string): string | null {
  if (specifier.startsWith('.') || specifier.startsWith('/') || specifier.startsWith('node:')) return null;
  if (builtinModules.includes(specifier.split('/')[0])) return null;
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

/** Every require() of the compiled files that names a package outside the production dependencies, or a missing file. */
export function unresolvedRequires(appDir: string): string[] {
  const allowed = productionPackages();
  const problems: string[] = [];
  const walk = (dir: string): string[] =>
    readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
      entry.isDirectory() ? walk(join(dir, entry.name)) : entry.name.endsWith('.js') ? [join(dir, entry.name)] : [],
    );
  for (const file of walk(appDir)) {
    if (file.includes(join('playground', 'dist')) || file.includes(join('console', 'dist'))) continue;
    const code = readFileSync(file, 'utf8');
    for (const match of code.matchAll(/\brequire\("([^"]+)"\)/g)) {
      const specifier = match[1];
      const name = packageOf(specifier);
      if (name !== null) {
        if (!allowed.has(name)) problems.push(`${relative(appDir, file)} requires ${specifier}, which is not a production dependency`);
        continue;
      }
      if (!specifier.startsWith('.')) continue;
      const target = resolve(dirname(file), specifier);
      const found = [target, `${target}.js`, join(target, 'index.js')].some((candidate) => existsSync(candidate) && statSync(candidate).isFile());
      if (!found && !existsSync(`${target}.json`)) problems.push(`${relative(appDir, file)} requires ${specifier}, which the build does not contain`);
    }
  }
  return problems;
}

export async function buildProduction(outDir: string, env: Record<string, string | undefined> = process.env): Promise<string> {
  const appDir = join(outDir, 'app');
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(appDir, { recursive: true });

  for (const name of SUBGRAPH_NAMES) {
    if (!existsSync(join(root, 'subgraphs', name, 'generated', 'prisma', 'client.ts'))) {
      throw new Error(`subgraphs/${name}/generated is missing: run npm run generate (npm ci does) before building`);
    }
  }
  await build({
    absWorkingDir: root,
    entryPoints: runtimeSources(),
    outdir: appDir,
    outbase: root,
    bundle: false,
    format: 'cjs',
    platform: 'node',
    target: 'node20',
    sourcemap: true,
    logLevel: 'warning',
  });

  // What the code reads from disk next to itself.
  cpSync(join(root, 'schema'), join(appDir, 'schema'), { recursive: true });
  for (const name of SUBGRAPH_NAMES) {
    cpSync(join(root, 'subgraphs', name, 'prisma'), join(appDir, 'subgraphs', name, 'prisma'), { recursive: true });
  }
  cpSync(join(root, 'importer', 'operations.graphql'), join(appDir, 'importer', 'operations.graphql'));
  // The matching engine's word lists (dictionary, synonyms, generic, decorative and place words).
  cpSync(join(root, 'subgraphs', 'products', 'matching', 'data'), join(appDir, 'subgraphs', 'products', 'matching', 'data'), { recursive: true });
  // The traditional → simplified table shared by titles and supplier names.
  cpSync(join(root, 'common', 'data'), join(appDir, 'common', 'data'), { recursive: true });
  const playground = join(root, 'gateway', 'playground', 'dist');
  if (!existsSync(join(playground, 'manifest.json'))) throw new Error('gateway/playground/dist is missing: run npm run build:playground');
  cpSync(playground, join(appDir, 'gateway', 'playground', 'dist'), { recursive: true });
  const consoleBundle = join(root, 'gateway', 'console', 'dist');
  if (!existsSync(join(consoleBundle, 'manifest.json'))) throw new Error('gateway/console/dist is missing: run npm run build:console');
  cpSync(consoleBundle, join(appDir, 'gateway', 'console', 'dist'), { recursive: true });
  const manifest = join(root, 'persisted-query-manifest.json');
  if (!existsSync(manifest)) throw new Error('persisted-query-manifest.json is missing: run npm run manifest');
  cpSync(manifest, join(appDir, 'persisted-query-manifest.json'));
  const contract = join(root, '..', 'shared', 'contract');
  if (existsSync(contract)) cpSync(contract, join(outDir, 'shared', 'contract'), { recursive: true });

  // The package manifest and lock travel with the code, so `npm ci --omit=dev` installs exactly what it needs.
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as Record<string, unknown>;
  const lock = JSON.parse(readFileSync(join(root, 'package-lock.json'), 'utf8')) as PackageLock;
  writeFileSync(join(appDir, 'package-lock.json'), `${JSON.stringify(productionLock(lock), null, 2)}\n`);
  writeFileSync(join(appDir, 'package.json'), `${JSON.stringify(productionManifest(pkg), null, 2)}\n`);

  writeFileSync(join(appDir, 'supergraph.graphql'), composeSupergraph(subgraphUrls(env)));

  const problems = unresolvedRequires(appDir);
  if (problems.length) throw new Error(`the build would not run with production dependencies only:\n- ${problems.join('\n- ')}`);
  return appDir;
}

interface PackageLock {
  packages: Record<string, { dev?: boolean; devOptional?: boolean; devDependencies?: Record<string, string> }>;
}

/**
 * The lock of the build: the production tree only. Packages the lock marks
 * `devOptional` are there for a devDependency and are at most an optional
 * dependency of a production package (prisma and typescript, optional peers
 * of @prisma/client): `npm ci --omit=dev` would still install them, so they go.
 */
export function productionLock<Lock extends PackageLock>(lock: Lock): Lock {
  const packages = Object.fromEntries(
    Object.entries(lock.packages)
      .filter(([, entry]) => !entry.dev && !entry.devOptional)
      .map(([path, entry]) => {
        if (path !== '') return [path, entry];
        const { devDependencies: _dev, ...rootEntry } = entry;
        return [path, rootEntry];
      }),
  );
  return { ...lock, packages };
}

/**
 * package.json of the build: the production dependencies (as in its lock),
 * scripts that run compiled code, and no install hooks.
 */
function productionManifest(pkg: Record<string, unknown>): Record<string, unknown> {
  const { devDependencies: _dev, ...production } = pkg;
  return {
    ...production,
    scripts: {
      start: 'node scripts/start.js',
      'start:gateway': 'node gateway/index.js',
      'start:products': 'node subgraphs/products/index.js',
      'start:suppliers': 'node subgraphs/suppliers/index.js',
      'start:certification': 'node subgraphs/certification/index.js',
      migrate: 'node scripts/migrate.js',
    },
  };
}

if (require.main === module) {
  const { values } = parseArgs({ options: { 'out-dir': { type: 'string', default: 'dist' } } });
  const started = Date.now();
  buildProduction(resolve(values['out-dir'] ?? 'dist')).then(
    (appDir) => console.log(`built ${relative(process.cwd(), appDir) || '.'} in ${((Date.now() - started) / 1000).toFixed(1)} s (supergraph.graphql included)`),
    (err: Error) => {
      console.error(err instanceof CompositionError ? err.message : err.message);
      process.exit(1);
    },
  );
}
