import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { composeServices } from '@apollo/composition';
import { parse, type GraphQLSchema } from 'graphql';
import { SUBGRAPH_NAMES, type SubgraphName } from '../common/topology';

export class CompositionError extends Error {
  constructor(readonly details: string[]) {
    super(`Supergraph composition failed:\n- ${details.join('\n- ')}`);
    this.name = 'CompositionError';
  }
}

/** The SDL of each subgraph, from schema/<name>.graphql. */
export function readSubgraphSdl(name: SubgraphName): string {
  return readFileSync(join(__dirname, '..', 'schema', `${name}.graphql`), 'utf8');
}

/**
 * Composes the supergraph offline from the committed subgraph SDL, with the
 * URL the gateway should route each subgraph to. Throws with every
 * composition error when the subgraphs do not compose.
 */
export function composeSupergraph(urls: Record<SubgraphName, string>): string {
  const result = composeServices(SUBGRAPH_NAMES.map((name) => ({ name, url: urls[name], typeDefs: parse(readSubgraphSdl(name)) })));
  if (result.errors) throw new CompositionError(result.errors.map((error) => error.message));
  return result.supergraphSdl;
}

/** The public API schema of the composed supergraph (no @inaccessible fields), as the gateway serves it. */
export function composeApiSchema(): GraphQLSchema {
  const result = composeServices(SUBGRAPH_NAMES.map((name) => ({ name, typeDefs: parse(readSubgraphSdl(name)) })));
  if (result.errors) throw new CompositionError(result.errors.map((error) => error.message));
  return result.schema.toAPISchema().toGraphQLJSSchema();
}
