// The partner contract end to end: the real subgraphs and gateway on loopback
// ports, each subgraph on its own PostgreSQL database (TEST_BACKENDS, default
// postgres; pglite is accepted too), over HTTP with the gateway's fetch layer
// (shared, merged and collapsed fetches). The same suite runs on the composed
// graph in process, on PGlite, in catalogGraph.test.ts.
import { startCatalog, type Backend } from './support/catalogHarness';
import { describePartnerContract } from './support/partnerContractSuite';

const BACKENDS = (process.env.TEST_BACKENDS ?? 'postgres').split(',') as Backend[];

for (const backend of BACKENDS) {
  describePartnerContract(`partner contract through the gateway on ${backend}`, () => startCatalog({ backend }));
}
