import { ConfigError, envInt, envString, envUrl } from '../../common/environment';

type Env = Record<string, string | undefined>;

/** How staff sign in to the console at /console. */
export interface ConsoleSettings {
  /**
   * The development sign-in (pick a demo account, get a token signed with the
   * development AUTH_SECRET): on only while that secret is in use, which
   * DEVELOPMENT_SECRETS=1 allows outside production and production never does.
   */
  developmentSignIn: boolean;
  /** CONSOLE_SESSION_SECONDS (28800): lifetime of a development sign-in's token. */
  sessionSeconds: number;
  /** OIDC_ISSUER and OIDC_CLIENT_ID: sign-in with OpenID Connect (code + PKCE); null when unset. */
  oidc: { issuer: string; clientId: string } | null;
}

export function consoleSettingsFromEnv(env: Env, developmentAuthSecretInUse: boolean): ConsoleSettings {
  const issuer = envUrl(env, 'OIDC_ISSUER', ['http:', 'https:']);
  const clientId = envString(env, 'OIDC_CLIENT_ID');
  if (issuer && !clientId) throw new ConfigError('OIDC_CLIENT_ID', 'is required when OIDC_ISSUER is set');
  if (clientId && !issuer) throw new ConfigError('OIDC_ISSUER', 'is required when OIDC_CLIENT_ID is set');
  return {
    developmentSignIn: developmentAuthSecretInUse && env.NODE_ENV !== 'production',
    sessionSeconds: envInt(env, 'CONSOLE_SESSION_SECONDS', 8 * 3600, { min: 5, max: 7 * 86400 }),
    oidc: issuer && clientId ? { issuer: issuer.replace(/\/+$/, ''), clientId } : null,
  };
}
