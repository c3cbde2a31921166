import { createPublicKey } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { ConfigError, envPort, envString } from '../common/environment';
import { subgraphSecret } from '../common/identity';
import { subgraphUrls, type SubgraphName } from '../common/topology';

type Env = Record<string, string | undefined>;

/** How bearer tokens are verified: a shared HS256 secret or an RS256 public key. */
export type TokenKey = { algorithm: 'HS256'; secret: string } | { algorithm: 'RS256'; publicKey: string };

export interface GatewayConfig {
  /** HOST, default 127.0.0.1. */
  host: string;
  /** PORT, default 4000 (0 picks a free port). */
  port: number;
  /** SUPERGRAPH_PATH: serve this composed supergraph file; unset composes schema/ at start. */
  supergraphPath: string | null;
  /** <NAME>_SUBGRAPH_URL, or http://HOST:<NAME>_PORT/graphql. */
  subgraphUrls: Record<SubgraphName, string>;
  tokenKey: TokenKey;
  /** SUBGRAPH_SECRET: signs the identity header subgraphs trust. */
  subgraphSecret: string;
  production: boolean;
}

// Only for development and tests: production refuses to start without a key.
export const DEV_AUTH_SECRET = 'relief-goods-graph-dev-auth-secret-not-for-production';

/** AUTH_PUBLIC_KEY_PATH (RS256) or AUTH_SECRET (HS256); a development default outside production. */
export function tokenKey(env: Env): TokenKey {
  const keyPath = envString(env, 'AUTH_PUBLIC_KEY_PATH');
  if (keyPath) {
    if (!existsSync(keyPath)) throw new ConfigError('AUTH_PUBLIC_KEY_PATH', `names a file that does not exist: ${keyPath}`);
    const publicKey = readFileSync(keyPath, 'utf8');
    // Fail at start, not with a 401 on every request, when the file is no RSA public key.
    let type: string | undefined;
    try {
      type = createPublicKey(publicKey).asymmetricKeyType;
    } catch {
      throw new ConfigError('AUTH_PUBLIC_KEY_PATH', `does not hold a PEM public key: ${keyPath}`);
    }
    if (type !== 'rsa') throw new ConfigError('AUTH_PUBLIC_KEY_PATH', `must hold an RSA public key for RS256, got ${type}`);
    return { algorithm: 'RS256', publicKey };
  }
  const secret = envString(env, 'AUTH_SECRET');
  if (secret) {
    if (secret.length < 32) throw new ConfigError('AUTH_SECRET', 'must be at least 32 characters');
    return { algorithm: 'HS256', secret };
  }
  if (env.NODE_ENV === 'production') {
    throw new ConfigError('AUTH_SECRET', 'or AUTH_PUBLIC_KEY_PATH is required when NODE_ENV=production');
  }
  return { algorithm: 'HS256', secret: DEV_AUTH_SECRET };
}

export function gatewayConfig(env: Env): GatewayConfig {
  return {
    host: envString(env, 'HOST', '127.0.0.1'),
    port: envPort(env, 'PORT', 4000),
    supergraphPath: envString(env, 'SUPERGRAPH_PATH') ?? null,
    subgraphUrls: subgraphUrls(env),
    tokenKey: tokenKey(env),
    subgraphSecret: subgraphSecret(env),
    production: env.NODE_ENV === 'production',
  };
}
