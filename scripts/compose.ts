// Writes the composed supergraph (default: ./supergraph.graphql) for the
// gateway to serve with SUPERGRAPH_PATH. Subgraph URLs come from the same
// settings the gateway reads (<NAME>_SUBGRAPH_URL or HOST and <NAME>_PORT).
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { subgraphUrls } from '../common/topology';
import { composeSupergraph, CompositionError } from '../gateway/supergraph';

const output = resolve(process.argv[2] ?? 'supergraph.graphql');
try {
  writeFileSync(output, composeSupergraph(subgraphUrls(process.env)));
  console.log(`supergraph written to ${output}`);
} catch (err) {
  console.error(err instanceof CompositionError ? err.message : err);
  process.exit(1);
}
