// Carries out the Dockerfile's instructions without Docker: each stage gets a
// folder standing in for its filesystem, COPY copies into it (from the build
// context minus .dockerignore, another stage's folder or a named build
// context), RUN runs the command in WORKDIR with the stage's ENV, and the
// last stage's ENV, USER, WORKDIR, ENTRYPOINT, CMD and HEALTHCHECK are written
// to image.json beside the stages, for whoever starts a process "in the image"
// (test/imageStage.e2e.ts). Reading the Dockerfile itself keeps the image and
// its check from drifting apart; an instruction this script does not know
// stops it.
//
//   npm run stage:image [-- --out DIR] [--build-context contract=../shared/contract]
//
// What it cannot reproduce: the base image (the host's node and npm stand in
// for it; a different node major version is reported) and ownership (files
// belong to whoever runs this). BuildKit cache mounts are the host's npm cache.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, isAbsolute, join, posix, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';

const root = resolve(__dirname, '..');

export interface Instruction {
  keyword: string;
  /** --name=value flags before the arguments (COPY --from, RUN --mount, HEALTHCHECK --interval). */
  flags: Record<string, string>;
  /** The rest of the line, continuations joined. */
  args: string;
  line: number;
}

/** The Dockerfile's instructions in order: comments and parser directives dropped, `\` continuations joined. */
export function parseDockerfile(text: string): Instruction[] {
  const instructions: Instruction[] = [];
  let pending = '';
  let startLine = 0;
  text.split('\n').forEach((raw, index) => {
    const line = raw.trimEnd();
    if (!pending && (line.trim() === '' || line.trimStart().startsWith('#'))) return;
    if (pending && line.trimStart().startsWith('#')) return;
    if (!pending) startLine = index + 1;
    if (line.endsWith('\\')) {
      pending += `${line.slice(0, -1)} `;
      return;
    }
    const whole = (pending + line).trim();
    pending = '';
    const match = /^(\w+)\s+([\s\S]*)$/.exec(whole);
    if (!match) throw new Error(`Dockerfile line ${startLine}: cannot read "${whole}"`);
    let rest = match[2];
    const flags: Record<string, string> = {};
    for (let flag = /^--([\w-]+)=(\S+)\s+/.exec(rest); flag; flag = /^--([\w-]+)=(\S+)\s+/.exec(rest)) {
      flags[flag[1]] = flag[2];
      rest = rest.slice(flag[0].length);
    }
    instructions.push({ keyword: match[1].toUpperCase(), flags, args: rest.trim(), line: startLine });
  });
  return instructions;
}

/** A JSON array (exec form) or, for RUN and CMD, a shell command (shell form). */
function execForm(args: string, where: string): string[] {
  if (!args.startsWith('[')) throw new Error(`${where}: only the exec form (a JSON array) is supported here`);
  const parsed = JSON.parse(args) as unknown;
  if (!Array.isArray(parsed) || !parsed.every((word) => typeof word === 'string')) throw new Error(`${where}: not an array of strings`);
  return parsed;
}

/** ENV key=value pairs, values optionally double-quoted. */
function envPairs(args: string, where: string): [string, string][] {
  const pairs: [string, string][] = [];
  for (const match of args.matchAll(/([A-Za-z_][A-Za-z0-9_]*)=("(?:[^"\\]|\\.)*"|\S*)\s*/g)) {
    pairs.push([match[1], match[2].startsWith('"') ? (JSON.parse(match[2]) as string) : match[2]]);
  }
  if (pairs.length === 0) throw new Error(`${where}: ENV needs key=value pairs`);
  return pairs;
}

/**
 * .dockerignore as Docker reads it: one pattern a line, `*`, `?` and `**`,
 * rooted at the context, a pattern that names a folder excludes what is in it,
 * `!` takes a path back, the last matching line decides.
 */
export function dockerignore(text: string): (path: string) => boolean {
  const rules = text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith('#'))
    .map((line) => {
      const include = line.startsWith('!');
      const pattern = posix.normalize((include ? line.slice(1) : line).trim()).replace(/^\/+|\/+$/g, '');
      const source = pattern
        .split('/')
        .map((part) =>
          part === '**'
            ? '.*'
            : part
                .replace(/[.+^${}()|[\]\\]/g, '\\$&')
                .replace(/\*/g, '[^/]*')
                .replace(/\?/g, '[^/]'),
        )
        .join('/')
        .replace(/\.\*\//g, '(?:.*/)?');
      return { include, regex: new RegExp(`^${source}(?:/.*)?$`) };
    });
  return (path) => {
    let excluded = false;
    for (const rule of rules) if (rule.regex.test(path)) excluded = !rule.include;
    return excluded;
  };
}

export interface ImageConfig {
  /** The folder standing in for the final stage's filesystem root. */
  root: string;
  from: string;
  env: Record<string, string>;
  workdir: string;
  user: string | null;
  entrypoint: string[];
  cmd: string[];
  healthcheck: { flags: Record<string, string>; cmd: string[] } | null;
  expose: number[];
}

export interface StageOptions {
  dockerfile?: string;
  context?: string;
  /** Named build contexts (`docker build --build-context name=path`), paths relative to the context. */
  buildContexts?: Record<string, string>;
  out: string;
  log?: (line: string) => void;
}

/** Environment for RUN: the host's PATH (without any node_modules/.bin, so nothing leaks from a checkout) and HOME (npm's cache), then the stage's ENV. */
function runEnv(stageEnv: Record<string, string>): Record<string, string> {
  const path = (process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin')
    .split(':')
    .filter((entry) => entry && !entry.split('/').includes('node_modules'))
    .join(':');
  return { PATH: path, HOME: process.env.HOME ?? tmpdir(), ...stageEnv };
}

/** The first ancestor of `dir` that holds a node_modules folder, which node would resolve packages from. */
function nodeModulesAbove(dir: string): string | null {
  for (let current = resolve(dir); ; current = dirname(current)) {
    if (existsSync(join(current, 'node_modules'))) return current;
    if (dirname(current) === current) return null;
  }
}

export function stageImage(options: StageOptions): ImageConfig {
  const context = resolve(options.context ?? root);
  const dockerfile = options.dockerfile ?? join(context, 'Dockerfile');
  const out = resolve(options.out);
  const log = options.log ?? (() => undefined);
  const above = nodeModulesAbove(dirname(out));
  if (above) throw new Error(`${out} is below ${above}, which has node_modules: the stage would not stand alone`);
  rmSync(out, { recursive: true, force: true });
  mkdirSync(out, { recursive: true });
  const ignoreFile = join(context, '.dockerignore');
  const ignored = existsSync(ignoreFile) ? dockerignore(readFileSync(ignoreFile, 'utf8')) : () => false;
  const contexts = Object.fromEntries(Object.entries(options.buildContexts ?? {}).map(([name, path]) => [name, resolve(context, path)]));

  const stages = new Map<string, string>();
  let stage: { name: string; dir: string; env: Record<string, string>; config: ImageConfig } | null = null;
  const inStage = (path: string) => join(stage!.dir, isAbsolute(path) ? path : posix.join(stage!.config.workdir, path));

  for (const instruction of parseDockerfile(readFileSync(dockerfile, 'utf8'))) {
    const where = `Dockerfile line ${instruction.line} (${instruction.keyword})`;
    if (instruction.keyword !== 'FROM' && !stage) throw new Error(`${where}: before any FROM`);
    switch (instruction.keyword) {
      case 'FROM': {
        const [image, as, name] = instruction.args.split(/\s+/);
        const stageName = as?.toUpperCase() === 'AS' ? name : String(stages.size);
        const dir = join(out, stageName);
        if (stages.has(image)) cpSync(stages.get(image)!, dir, { recursive: true });
        else mkdirSync(dir, { recursive: true });
        const major = /^node:(\d+)/.exec(image)?.[1];
        if (major && major !== process.versions.node.split('.')[0])
          log(`warning: ${image} has node ${major}, this stage runs with the host's node ${process.versions.node}`);
        stage = {
          name: stageName,
          dir,
          env: {},
          config: { root: dir, from: image, env: {}, workdir: '/', user: null, entrypoint: [], cmd: [], healthcheck: null, expose: [] },
        };
        stages.set(stageName, dir);
        log(`stage ${stageName} (${image})`);
        break;
      }
      case 'WORKDIR':
        stage!.config.workdir = posix.resolve(stage!.config.workdir, instruction.args);
        mkdirSync(inStage('.'), { recursive: true });
        break;
      case 'ENV':
        for (const [key, value] of envPairs(instruction.args, where)) stage!.env[key] = value;
        break;
      case 'COPY': {
        const words = instruction.args.startsWith('[') ? execForm(instruction.args, where) : instruction.args.split(/\s+/);
        const destination = words.pop()!;
        const from = instruction.flags.from;
        const sourceRoot = from === undefined ? context : (stages.get(from) ?? contexts[from]);
        if (sourceRoot === undefined) throw new Error(`${where}: no stage or build context named "${from}" (pass --build-context ${from}=PATH)`);
        const target = inStage(destination);
        const intoFolder = destination.endsWith('/') || destination === '.' || words.length > 1;
        for (const source of words) {
          const path = join(sourceRoot, source);
          if (!existsSync(path)) throw new Error(`${where}: ${source} does not exist in ${from ?? 'the build context'}`);
          const filter = (file: string) => from !== undefined || !ignored(relative(context, file).split('\\').join('/'));
          if (relative(sourceRoot, path) !== '' && !filter(path)) throw new Error(`${where}: ${source} is excluded by .dockerignore`);
          if (statSync(path).isDirectory()) {
            // Docker copies a folder's contents, not the folder itself.
            mkdirSync(target, { recursive: true });
            for (const entry of readdirSync(path)) {
              if (filter(join(path, entry))) cpSync(join(path, entry), join(target, entry), { recursive: true, filter });
            }
          } else {
            const file = intoFolder ? join(target, basename(source)) : target;
            mkdirSync(dirname(file), { recursive: true });
            cpSync(path, file);
          }
        }
        log(`COPY ${instruction.args}`);
        break;
      }
      case 'RUN': {
        const mount = instruction.flags.mount;
        if (mount !== undefined && !mount.startsWith('type=cache')) throw new Error(`${where}: only cache mounts are supported here, got ${mount}`);
        const command = instruction.args.startsWith('[') ? execForm(instruction.args, where) : ['/bin/sh', '-c', instruction.args];
        log(`RUN ${instruction.args}`);
        const started = Date.now();
        const result = spawnSync(command[0], command.slice(1), {
          cwd: inStage('.'),
          env: runEnv(stage!.env),
          stdio: ['ignore', 'pipe', 'pipe'],
          encoding: 'utf8',
          maxBuffer: 64 * 1024 * 1024,
        });
        if (result.status !== 0)
          throw new Error(`${where}: "${instruction.args}" failed (${result.status ?? result.signal}):\n${(result.stdout + result.stderr).slice(-6000)}`);
        log(`  ${((Date.now() - started) / 1000).toFixed(1)} s`);
        break;
      }
      case 'USER':
        stage!.config.user = instruction.args;
        break;
      case 'EXPOSE':
        stage!.config.expose = instruction.args.split(/\s+/).map((port) => Number(port.split('/')[0]));
        break;
      case 'HEALTHCHECK': {
        const cmd = /^CMD\s+([\s\S]*)$/.exec(instruction.args);
        stage!.config.healthcheck = cmd ? { flags: instruction.flags, cmd: execForm(cmd[1], where) } : null;
        break;
      }
      case 'ENTRYPOINT':
        stage!.config.entrypoint = execForm(instruction.args, where);
        break;
      case 'CMD':
        stage!.config.cmd = execForm(instruction.args, where);
        break;
      default:
        throw new Error(`${where}: ${instruction.keyword} is not carried out by scripts/stageImage.ts; teach it before using it`);
    }
  }
  if (!stage) throw new Error('the Dockerfile has no FROM');
  const config: ImageConfig = { ...stage.config, env: stage.env };
  writeFileSync(join(out, 'image.json'), `${JSON.stringify(config, null, 2)}\n`);
  return config;
}

if (require.main === module) {
  const { values } = parseArgs({
    options: {
      out: { type: 'string', default: join(tmpdir(), 'relief-goods-graph-image') },
      'build-context': { type: 'string', multiple: true, default: ['contract=../shared/contract'] },
    },
  });
  const buildContexts = Object.fromEntries((values['build-context'] ?? []).map((pair) => pair.split('=', 2) as [string, string]));
  const started = Date.now();
  try {
    const image = stageImage({ out: values.out!, buildContexts, log: (line) => console.log(line) });
    console.log(`image staged in ${image.root} in ${((Date.now() - started) / 1000).toFixed(0)} s; its settings in ${join(values.out!, 'image.json')}`);
  } catch (err) {
    console.error((err as Error).message);
    process.exit(1);
  }
}
