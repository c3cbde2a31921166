// Which secret a process reads: the development one only with
// DEVELOPMENT_SECRETS=1 outside production, never the published one in
// production. processStart.e2e.ts starts real processes without them.
import { envSecret } from '../common/environment';
import { DEV_AUTH_SECRET, DEV_SUBGRAPH_SECRET, subgraphSecret } from '../common/identity';
import { gatewayConfig } from '../gateway/config';

const PRODUCTION_SECRET = 'a-production-secret-of-at-least-32-characters';

describe('development secrets only when asked for', () => {
  it('reads a secret, the development one only with DEVELOPMENT_SECRETS=1 outside production, and never the public one in production', () => {
    expect(envSecret({ SUBGRAPH_SECRET: PRODUCTION_SECRET }, 'SUBGRAPH_SECRET', DEV_SUBGRAPH_SECRET)).toBe(PRODUCTION_SECRET);
    expect(subgraphSecret({ DEVELOPMENT_SECRETS: '1' })).toBe(DEV_SUBGRAPH_SECRET);
    // Unset, or any NODE_ENV other than exactly "production": no flag, no development secret.
    for (const NODE_ENV of [undefined, 'Production', 'development', 'staging']) {
      expect(() => subgraphSecret({ NODE_ENV })).toThrow(/SUBGRAPH_SECRET is required \(or set DEVELOPMENT_SECRETS=1/);
      expect(() => gatewayConfig({ NODE_ENV, SUBGRAPH_SECRET: PRODUCTION_SECRET })).toThrow(/AUTH_SECRET or AUTH_PUBLIC_KEY_PATH is required/);
    }
    expect(() => subgraphSecret({ DEVELOPMENT_SECRETS: '0' })).toThrow(/SUBGRAPH_SECRET is required/);
    // Production ignores the flag and refuses the published values even when set by hand.
    expect(() => subgraphSecret({ NODE_ENV: 'production', DEVELOPMENT_SECRETS: '1' })).toThrow(/SUBGRAPH_SECRET is required when NODE_ENV=production/);
    expect(() => gatewayConfig({ NODE_ENV: 'production', AUTH_SECRET: DEV_AUTH_SECRET, SUBGRAPH_SECRET: PRODUCTION_SECRET })).toThrow(
      /AUTH_SECRET is the publicly known development secret/,
    );
    expect(gatewayConfig({ DEVELOPMENT_SECRETS: '1' }).developmentSecrets).toEqual(['AUTH_SECRET', 'SUBGRAPH_SECRET']);
    expect(gatewayConfig({ DEVELOPMENT_SECRETS: '1', AUTH_SECRET: PRODUCTION_SECRET }).developmentSecrets).toEqual(['SUBGRAPH_SECRET']);
    expect(gatewayConfig({ AUTH_SECRET: PRODUCTION_SECRET, SUBGRAPH_SECRET: PRODUCTION_SECRET }).developmentSecrets).toEqual([]);
  });
});
