// Registers and lists member platforms through the running catalog:
//   npm run platform -- add <code> "<name>" [--gateway URL] [--token T]
//   npm run platform -- list
import { parseArgs } from 'node:util';
import { commandToken, DEFAULT_GATEWAY_URL, GatewayClient } from '../importer/gatewayClient';
import type { PlatformsQuery, RegisterPlatformMutation, RegisterPlatformMutationVariables } from '../importer/generated/operations';
import { operation } from '../importer/operations';

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { gateway: { type: 'string', default: DEFAULT_GATEWAY_URL }, token: { type: 'string' } },
  });
  const [command, code, name] = positionals;
  const client = new GatewayClient(values.gateway ?? DEFAULT_GATEWAY_URL, commandToken(values.token, { sub: 'platform-cli', roles: ['certifier'] }));
  if (command === 'add' && code && name) {
    const variables: RegisterPlatformMutationVariables = { code, name };
    const { registerPlatform } = await client.request<RegisterPlatformMutation>(operation('RegisterPlatform'), variables);
    console.log(`registered platform ${registerPlatform.code} (${registerPlatform.name})`);
  } else if (command === 'list') {
    const { platforms } = await client.request<PlatformsQuery>(operation('Platforms'));
    for (const platform of platforms) console.log(`${platform.code}\t${platform.name}`);
  } else {
    throw new Error('usage: npm run platform -- add <code> "<name>" | list  [--gateway URL] [--token T]');
  }
}

main().catch((err: Error) => {
  console.error(err.message);
  process.exit(1);
});
