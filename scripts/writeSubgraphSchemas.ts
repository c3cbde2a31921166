// Writes each subgraph's whole schema as its peers see it (the SDL of
// schema/<name>.graphql with what @apollo/subgraph adds: _entities, _Any,
// _Entity, _service) to subgraphs/<name>/generated/subgraph.graphql, for
// codegen to type the operations one subgraph sends to another. Run by
// `npm run codegen` and on install.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { parse, printSchema } from 'graphql';
import { SUBGRAPH_NAMES, type SubgraphName } from '../common/topology';
import { readSubgraphSdl } from '../gateway/supergraph';

export function subgraphSchemaPath(name: SubgraphName): string {
  return join(__dirname, '..', 'subgraphs', name, 'generated', 'subgraph.graphql');
}

export function writeSubgraphSchemas(): void {
  for (const name of SUBGRAPH_NAMES) {
    const path = subgraphSchemaPath(name);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, printSchema(buildSubgraphSchema({ typeDefs: parse(readSubgraphSdl(name)) })));
  }
}

if (require.main === module) writeSubgraphSchemas();
