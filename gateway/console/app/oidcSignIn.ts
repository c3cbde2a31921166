/** OpenID Connect sign-in: authorization code with PKCE (filled in with the gateway's OIDC support). */
import type { ConsolePageConfig } from '../consolePage';

export async function beginOidcSignIn(_config: ConsolePageConfig): Promise<void> {
  throw new Error('OpenID Connect sign-in is not available yet.');
}

/** Completes a sign-in the identity provider redirected back from; nothing to do yet. */
export async function finishOidcSignIn(_config: ConsolePageConfig): Promise<void> {}
