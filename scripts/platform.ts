// Registers and lists member platforms through the running catalog:
//   npm run platform -- add <code> "<name>" [--gateway URL] [--token T]
//   npm run platform -- list
import { parseArgs } from 'node:util';
import { commandToken, DEFAULT_GATEWAY_URL, GatewayClient } from '../importer/gatewayClient';

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { gateway: { type: 'string', default: DEFAULT_GATEWAY_URL }, token: { type: 'string' } },
  });
  const [command, code, name] = positionals;
  const client = new GatewayClient(values.gateway ?? DEFAULT_GATEWAY_URL, commandToken(values.token, { sub: 'platform-cli', roles: ['certifier'] }));
  if (command === 'add' && code && name) {
    const { registerPlatform } = await client.request<{ registerPlatform: { code: string; name: string } }>(
      'mutation RegisterPlatform($code: ID!, $name: String!) { registerPlatform(code: $code, name: $name) { code name } }',
      { code, name },
    );
    console.log(`registered platform ${registerPlatform.code} (${registerPlatform.name})`);
  } else if (command === 'list') {
    const { platforms } = await client.request<{ platforms: { code: string; name: string }[] }>('query Platforms { platforms { code name } }');
    for (const platform of platforms) console.log(`${platform.code}\t${platform.name}`);
  } else {
    throw new Error('usage: npm run platform -- add <code> "<name>" | list  [--gateway URL] [--token T]');
  }
}

main().catch((err: Error) => {
  console.error(err.message);
  process.exit(1);
});
