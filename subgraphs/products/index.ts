import { runSubgraphProcess } from '../../common/subgraphProcess';
import { productsSubgraph } from './server';

runSubgraphProcess(productsSubgraph());
