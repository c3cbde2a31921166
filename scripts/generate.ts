// Rebuilds every generated file (run on install): the three Prisma clients,
// the codegen resolver types and operation types. Generated code is never committed.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { SUBGRAPH_NAMES } from '../common/topology';
import { writeApiSchema } from './writeApiSchema';
import { writeSubgraphSchemas } from './writeSubgraphSchemas';

const root = join(__dirname, '..');
const bin = (name: string) => join(root, 'node_modules', '.bin', name);
// `npm ci --omit=dev` has no Prisma CLI or codegen: such an install runs the
// build output (npm run build), which already holds the generated code.
if (!existsSync(bin('prisma')) || !existsSync(bin('graphql-codegen'))) {
  console.log('generate: skipped (no devDependencies installed); run the build output in dist/');
  process.exit(0);
}
// `prisma generate` never runs the schema engine, but the CLI wants the variable
// to name an existing file instead of downloading the engine; any file will do.
const env = { ...process.env, PRISMA_SCHEMA_ENGINE_BINARY: process.env.PRISMA_SCHEMA_ENGINE_BINARY ?? process.execPath };

for (const name of SUBGRAPH_NAMES) {
  execFileSync(bin('prisma'), ['generate', '--schema', join('subgraphs', name, 'prisma', 'schema.prisma')], {
    cwd: root,
    env,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
}
// The console's operation types are checked against the composed API schema,
// the operations between subgraphs against each peer's subgraph schema.
writeApiSchema();
writeSubgraphSchemas();
execFileSync(bin('graphql-codegen'), ['--config', 'codegen.yml', '--silent'], { cwd: root, stdio: 'inherit' });
console.log(
  `generated: Prisma clients and resolver types for ${SUBGRAPH_NAMES.join(', ')}, the listing feed's input types, operation types for the command-line tools, the console and the calls between subgraphs`,
);
