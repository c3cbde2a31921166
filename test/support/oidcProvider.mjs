// A real OpenID provider (oidc-provider) on loopback for the console's
// sign-in tests, run as its own process because the package is an ES module:
//   node test/support/oidcProvider.mjs <port> <client id> <redirect uri>
// Any login name signs in (the package's development login and consent
// pages); every account carries the role certifier in its ID token.
import Provider from 'oidc-provider';

const [port, clientId, redirectUri] = process.argv.slice(2);
const issuer = `http://127.0.0.1:${port}`;
const provider = new Provider(issuer, {
  clients: [
    {
      client_id: clientId,
      token_endpoint_auth_method: 'none',
      redirect_uris: [redirectUri],
      grant_types: ['authorization_code'],
      response_types: ['code'],
    },
  ],
  claims: { openid: ['sub'], profile: ['roles'] },
  // The ID token carries the scope's claims (roles) even though an access token is issued too.
  conformIdTokenClaims: false,
  findAccount: async (_ctx, sub) => ({ accountId: sub, claims: async () => ({ sub, roles: ['certifier'] }) }),
  cookies: { keys: ['console-test-cookie-key'] },
  ttl: { IdToken: 600 },
});
provider.listen(Number(port), '127.0.0.1', () => {
  process.stdout.write(`listening ${issuer}\n`);
});
process.on('SIGTERM', () => process.exit(0));
