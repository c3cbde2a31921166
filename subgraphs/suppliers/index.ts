import { runSubgraphProcess } from '../../common/subgraphProcess';
import { suppliersSubgraph } from './server';

runSubgraphProcess(suppliersSubgraph);
