// Bearer tokens as the gateway verifies them: an expiry is required, and the
// issuer and audience are checked when AUTH_ISSUER / AUTH_AUDIENCE are set.
import jwt from 'jsonwebtoken';
import { identityFromHeaders } from '../gateway/bearerToken';
import { mintToken } from '../common/localTokens';
import { tokenKey } from '../gateway/config';

const secret = 'a-bearer-token-secret-for-this-test-only';
const verify = (token: string, env: Record<string, string> = {}) =>
  identityFromHeaders({ authorization: `Bearer ${token}` }, tokenKey({ AUTH_SECRET: secret, ...env }));
const refusal = (token: string, env: Record<string, string> = {}) => {
  try {
    verify(token, env);
  } catch (err) {
    return { message: (err as Error).message, code: (err as { extensions?: { code?: string } }).extensions?.code };
  }
  return null;
};

describe('bearer tokens', () => {
  it('are refused without an expiry, however well signed', () => {
    const forever = jwt.sign({ roles: ['certifier'] }, secret, { algorithm: 'HS256', subject: 'alice' });
    expect(refusal(forever)).toEqual({ message: 'The bearer token has no expiry (exp).', code: 'UNAUTHENTICATED' });
    expect(verify(mintToken({ sub: 'alice', roles: ['certifier'] }, secret, 60))).toMatchObject({ sub: 'alice', roles: ['certifier'] });
  });

  it('must carry AUTH_ISSUER and AUTH_AUDIENCE when they are configured', () => {
    const env = { AUTH_ISSUER: 'https://login.alliance.example', AUTH_AUDIENCE: 'relief-goods-graph' };
    const sign = (claims: { issuer?: string; audience?: string }) => mintToken({ sub: 'bob', roles: ['partner'], platform: 'jd' }, secret, 60, claims);
    expect(verify(sign({ issuer: env.AUTH_ISSUER, audience: env.AUTH_AUDIENCE }), env)).toMatchObject({ sub: 'bob', platform: 'jd' });
    for (const claims of [
      {},
      { issuer: env.AUTH_ISSUER },
      { audience: env.AUTH_AUDIENCE },
      { issuer: 'https://elsewhere.example', audience: env.AUTH_AUDIENCE },
      { issuer: env.AUTH_ISSUER, audience: 'another-api' },
    ]) {
      expect({ claims, refusal: refusal(sign(claims), env) }).toEqual({
        claims,
        refusal: { message: 'The bearer token is not valid.', code: 'UNAUTHENTICATED' },
      });
    }
    // Without the settings, issuer and audience are not looked at.
    expect(verify(sign({ issuer: 'https://elsewhere.example', audience: 'another-api' }))).toMatchObject({ sub: 'bob' });
  });
});
