import type { TokenKey } from '../bearerToken';
import { createConsoleRouter } from '../console/consoleRouter';
import type { ConsoleSettings } from '../console/consoleSettings';
import type { OidcTokenVerifier } from '../oidcTokens';
import type { GatewayFeature } from './types';

/**
 * The certification staff console at /console (gateway/console/): sign-in
 * through the OpenID provider, or with the development AUTH_SECRET when the
 * development sign-in is on.
 */
export function staffConsole(settings: ConsoleSettings, tokenKey: TokenKey, oidcVerifier: OidcTokenVerifier | null): GatewayFeature {
  const developmentSecret = settings.developmentSignIn && tokenKey.algorithm === 'HS256' ? tokenKey.secret : null;
  return { name: 'staff console', routes: (app) => app.use(createConsoleRouter({ settings, oidcVerifier, developmentSecret, graphqlPath: '/graphql' })) };
}
