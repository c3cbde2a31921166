// scripts/stageImage.ts reads the Dockerfile and .dockerignore as Docker does:
// the instructions of the repository's Dockerfile, continuations and flags;
// .dockerignore's rooted patterns, folders, ** and exceptions.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dockerignore, parseDockerfile, stageImage } from '../scripts/stageImage';

const root = join(__dirname, '..');

describe('staging the image without Docker', () => {
  test('the Dockerfile: two stages, flags read, continuations joined, the runtime ends in the entry point', () => {
    const instructions = parseDockerfile(readFileSync(join(root, 'Dockerfile'), 'utf8'));
    expect(instructions.filter((instruction) => instruction.keyword === 'FROM').map((instruction) => instruction.args)).toEqual([
      'node:20-bookworm-slim AS build',
      'node:20-bookworm-slim AS runtime',
    ]);
    const runtimeEnv = instructions.filter((instruction) => instruction.keyword === 'ENV').pop()!;
    expect(runtimeEnv.args).toMatch(/^NODE_ENV=production .*DATA_DIR=\/tmp\/relief-goods-graph$/);
    expect(instructions.find((instruction) => instruction.flags.from === 'contract')?.args).toBe('. ../shared/contract');
    expect(instructions.filter((instruction) => instruction.keyword === 'RUN' && instruction.flags.mount === 'type=cache,target=/root/.npm')).toHaveLength(2);
    expect(instructions.slice(-2).map((instruction) => `${instruction.keyword} ${instruction.args}`)).toEqual([
      'ENTRYPOINT ["node", "scripts/entrypoint.js"]',
      'CMD ["gateway"]',
    ]);
  });

  test('.dockerignore: rooted names, folders with what is in them, **, globs, exceptions', () => {
    const ignored = dockerignore('# comment\nnode_modules\n**/generated\n*.log\ndist/\n!dist/keep.txt\n');
    expect(ignored('node_modules')).toBe(true);
    expect(ignored('node_modules/graphql/index.js')).toBe(true);
    expect(ignored('gateway/node_modules')).toBe(false);
    expect(ignored('generated/x.ts')).toBe(true);
    expect(ignored('subgraphs/products/generated/prisma/client.ts')).toBe(true);
    expect(ignored('server.log')).toBe(true);
    expect(ignored('logs/server.log')).toBe(false);
    expect(ignored('dist/app/index.js')).toBe(true);
    expect(ignored('dist/keep.txt')).toBe(false);
    expect(ignored('gateway/index.ts')).toBe(false);
  });

  test('an instruction the script does not carry out stops it, naming the line', () => {
    const work = mkdtempSync(join(tmpdir(), 'rgg-stage-unit-'));
    try {
      writeFileSync(join(work, 'Dockerfile'), 'FROM node:20-bookworm-slim\nWORKDIR /app\nVOLUME /data\n');
      expect(() => stageImage({ context: work, out: join(work, 'out') })).toThrow('Dockerfile line 3 (VOLUME): VOLUME is not carried out');
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  });
});
