import { runServerProcess } from '../common/serverProcess';
import { gatewayConfig } from './config';
import { startGateway } from './server';

runServerProcess({ service: 'gateway' }, () => startGateway(gatewayConfig(process.env)));
