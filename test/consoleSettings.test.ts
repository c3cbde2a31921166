import { gatewayConfig } from '../gateway/config';

const REAL_SECRET = 'a-real-auth-secret-of-at-least-32-characters';

describe('console settings', () => {
  it('offers the development sign-in only while the development AUTH_SECRET is in use', () => {
    expect(gatewayConfig({ DEVELOPMENT_SECRETS: '1' }).console.developmentSignIn).toBe(true);
    expect(gatewayConfig({ DEVELOPMENT_SECRETS: '1', AUTH_SECRET: REAL_SECRET }).console.developmentSignIn).toBe(false);
    expect(
      gatewayConfig({ NODE_ENV: 'production', DEVELOPMENT_SECRETS: '1', AUTH_SECRET: REAL_SECRET, SUBGRAPH_SECRET: REAL_SECRET }).console.developmentSignIn,
    ).toBe(false);
  });

  it('takes OpenID Connect settings in pairs and names the missing variable', () => {
    expect(gatewayConfig({ DEVELOPMENT_SECRETS: '1', OIDC_ISSUER: 'https://id.example.cn/', OIDC_CLIENT_ID: 'console' }).console.oidc).toEqual({
      issuer: 'https://id.example.cn',
      clientId: 'console',
    });
    expect(() => gatewayConfig({ DEVELOPMENT_SECRETS: '1', OIDC_ISSUER: 'https://id.example.cn' })).toThrow(/OIDC_CLIENT_ID/);
    expect(() => gatewayConfig({ DEVELOPMENT_SECRETS: '1', OIDC_CLIENT_ID: 'console' })).toThrow(/OIDC_ISSUER/);
  });
});
