import { runSubgraphProcess } from '../../common/subgraphProcess';
import { certificationSubgraph } from './server';

runSubgraphProcess(certificationSubgraph());
