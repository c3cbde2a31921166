import { ConfigError } from '../common/environment';
import { gatewayConfig } from './config';
import { startGateway } from './server';

async function main(): Promise<void> {
  const config = gatewayConfig(process.env);
  const gateway = await startGateway(config);
  console.log(JSON.stringify({ level: 'info', service: 'gateway', msg: 'listening', url: gateway.url }));
  const stop = async () => {
    await gateway.close();
    process.exit(0);
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((err: Error) => {
  console.error(err instanceof ConfigError ? err.message : err);
  process.exit(1);
});
