// Bearer tokens as the gateway verifies them: an expiry is required, the
// issuer and audience are checked when AUTH_ISSUER / AUTH_AUDIENCE are set,
// and the key is an HS256 secret or an RS256 public key file.
import { createHmac, generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import jwt from 'jsonwebtoken';
import { DEV_AUTH_SECRET, type Role } from '../common/identity';
import { identityFromHeaders } from '../gateway/bearerToken';
import { mintToken } from '../common/localTokens';
import { gatewayConfig, tokenKey } from '../gateway/config';
import { DEVELOPMENT_ENV } from './support/developmentSecrets';

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

describe('gateway token keys', () => {
  const SUBGRAPH_SECRET = 'a-production-subgraph-secret-of-enough-length';
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'rgg-keys-'));
  });
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('refuses to start in production without AUTH_SECRET or AUTH_PUBLIC_KEY_PATH', () => {
    expect(() => tokenKey({ NODE_ENV: 'production' })).toThrow(/AUTH_SECRET/);
    expect(() => gatewayConfig({ NODE_ENV: 'production', SUBGRAPH_SECRET })).toThrow(/AUTH_SECRET/);
    expect(() => gatewayConfig({ NODE_ENV: 'production', AUTH_SECRET: 'short', SUBGRAPH_SECRET })).toThrow(/AUTH_SECRET/);
    expect(() => gatewayConfig({ NODE_ENV: 'production', AUTH_PUBLIC_KEY_PATH: join(dir, 'missing.pem'), SUBGRAPH_SECRET })).toThrow(/AUTH_PUBLIC_KEY_PATH/);
    const notAKey = join(dir, 'not-a-key.pem');
    writeFileSync(notAKey, 'this is no key');
    expect(() => tokenKey({ AUTH_PUBLIC_KEY_PATH: notAKey })).toThrow(/AUTH_PUBLIC_KEY_PATH does not hold a PEM public key/);
    const configured = gatewayConfig({ NODE_ENV: 'production', AUTH_SECRET: 'p'.repeat(40), SUBGRAPH_SECRET });
    expect(configured.tokenKey).toEqual({ algorithm: 'HS256', secret: 'p'.repeat(40) });
    expect(configured.production).toBe(true);
    // Outside production the development secret keeps a fresh clone running.
    expect(tokenKey(DEVELOPMENT_ENV)).toEqual({ algorithm: 'HS256', secret: DEV_AUTH_SECRET });
  });

  it('verifies RS256 tokens with the public key file, and only tokens signed by its private key', () => {
    const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const publicPem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
    const keyPath = join(dir, 'auth.pub.pem');
    writeFileSync(keyPath, publicPem);
    const key = tokenKey({ NODE_ENV: 'production', AUTH_PUBLIC_KEY_PATH: keyPath });
    expect(key).toEqual({ algorithm: 'RS256', publicKey: publicPem });
    expect(gatewayConfig({ NODE_ENV: 'production', AUTH_PUBLIC_KEY_PATH: keyPath, SUBGRAPH_SECRET }).tokenKey.algorithm).toBe('RS256');

    const sign = (claims: object, options: jwt.SignOptions = {}) =>
      jwt.sign(claims, privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), { algorithm: 'RS256', expiresIn: 600, ...options });
    const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

    expect(identityFromHeaders(bearer(sign({ roles: ['certifier'] }, { subject: 'rs-alice' })), key)).toEqual({
      sub: 'rs-alice',
      roles: ['certifier'],
      platform: null,
      authenticated: true,
      service: false,
    });
    expect(identityFromHeaders(bearer(sign({ roles: ['partner', 'admin'], platform: 'pdd' }, { subject: 'rs-shop' })), key)).toMatchObject({
      sub: 'rs-shop',
      roles: ['partner' as Role],
      platform: 'pdd',
    });
    expect(identityFromHeaders({}, key)).toMatchObject({ authenticated: false, roles: [] });

    const refused = (headers: Record<string, string>) => {
      try {
        identityFromHeaders(headers, key);
      } catch (err) {
        return (err as { extensions?: { code?: string } }).extensions?.code;
      }
      return 'accepted';
    };
    // Signed by another key pair.
    const other = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    expect(refused(bearer(jwt.sign({ roles: ['certifier'] }, other, { algorithm: 'RS256', subject: 'mallory', expiresIn: 600 })))).toBe('UNAUTHENTICATED');
    // Expired.
    const past = Math.floor(Date.now() / 1000) - 3600;
    const privatePem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    const expired = jwt.sign({ roles: ['certifier'], iat: past - 60, exp: past }, privatePem, { algorithm: 'RS256', subject: 'rs-alice' });
    expect(refused(bearer(expired))).toBe('UNAUTHENTICATED');
    // Algorithm confusion: HS256 "signed" with the public key as the secret.
    const header = Buffer.from(JSON.stringify({ alg: 'HS256', typ: 'JWT' })).toString('base64url');
    const payload = Buffer.from(JSON.stringify({ sub: 'mallory', roles: ['certifier'], exp: Math.floor(Date.now() / 1000) + 600 })).toString('base64url');
    const forged = `${header}.${payload}.${createHmac('sha256', publicPem).update(`${header}.${payload}`).digest('base64url')}`;
    expect(refused(bearer(forged))).toBe('UNAUTHENTICATED');
    // An HS256 token from the development secret means nothing to an RS256 gateway.
    expect(refused(bearer(jwt.sign({ roles: ['certifier'] }, DEV_AUTH_SECRET, { algorithm: 'HS256', subject: 'alice', expiresIn: 600 })))).toBe(
      'UNAUTHENTICATED',
    );
  });
});
