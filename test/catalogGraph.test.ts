// The partner contract on the composed graph in process: the real gateway
// over the three subgraphs on PGlite, no HTTP (test/support/catalogGraph.ts).
// The same suite runs end to end on PostgreSQL in catalog.e2e.ts.
import { startCatalogGraph } from './support/catalogGraph';
import { describePartnerContract } from './support/partnerContractSuite';

describePartnerContract('partner contract on the composed graph in process (PGlite)', () => startCatalogGraph());
