// A subgraph process for the benchmark: the same configuration
// (subgraphProcessConfig from the environment) and the same startSubgraph as
// subgraphs/<name>/index.ts, plus a counters endpoint on BENCH_COUNTERS_PORT
// so the benchmark can read, from outside the process, how many GraphQL
// requests the subgraph served and how many SQL statements its store sent.
//
//   BENCH_COUNTERS_PORT=5101 PRODUCTS_DATABASE_URL=... tsx bench/subgraphEntry.ts products
//
// Requests are counted where the subgraph builds its per-request context:
// once per GraphQL request that passed the identity check, split into
// requests from a gateway and from another subgraph (service identities).
import { createServer } from 'node:http';
import { startSubgraph, subgraphProcessConfig, type SubgraphModule } from '../common/subgraphProcess';
import { SUBGRAPH_NAMES, type SubgraphName } from '../common/topology';
import { certificationSubgraph } from '../subgraphs/certification/server';
import { productsSubgraph } from '../subgraphs/products/server';
import { suppliersSubgraph } from '../subgraphs/suppliers/server';
import { runServerProcess } from '../common/serverProcess';

export interface SubgraphCounters {
  /** GraphQL requests from a gateway (or the benchmark). */
  requests: number;
  /** GraphQL requests from another subgraph (e.g. products asking certification for certifiedOnly). */
  peerRequests: number;
  statements: number;
}

function serve<Client, Context extends object>(module: SubgraphModule<Client, Context>, countersPort: number): void {
  runServerProcess({ subgraph: module.name }, async () => {
    const counters = { requests: 0, peerRequests: 0 };
    const counting: SubgraphModule<Client, Context> = {
      ...module,
      createContext: (store, identity, config, req) => {
        if (identity.service) counters.peerRequests += 1;
        else counters.requests += 1;
        return module.createContext(store, identity, config, req);
      },
    };
    const started = await startSubgraph(counting, subgraphProcessConfig(process.env, module.name));
    const countersServer = createServer((_req, res) => {
      const body: SubgraphCounters = { ...counters, statements: started.store.statements.value };
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify(body));
    });
    await new Promise<void>((resolve, reject) => {
      countersServer.once('error', reject);
      countersServer.listen(countersPort, '127.0.0.1', () => resolve());
    });
    return {
      url: started.url,
      describe: { counters: `http://127.0.0.1:${countersPort}/` },
      close: async () => {
        countersServer.close();
        await started.close();
      },
    };
  });
}

const name = process.argv[2] as SubgraphName;
const countersPort = Number(process.env.BENCH_COUNTERS_PORT);
if (!SUBGRAPH_NAMES.includes(name) || !Number.isInteger(countersPort) || countersPort <= 0) {
  console.error('usage: BENCH_COUNTERS_PORT=<port> tsx bench/subgraphEntry.ts products|suppliers|certification');
  process.exit(2);
}
if (name === 'products') serve(productsSubgraph(), countersPort);
else if (name === 'suppliers') serve(suppliersSubgraph, countersPort);
else serve(certificationSubgraph(), countersPort);
