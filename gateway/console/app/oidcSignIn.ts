/**
 * OpenID Connect sign-in, authorization code with PKCE (RFC 7636). The
 * verifier and state stay in this tab's sessionStorage; the gateway sends the
 * browser to the provider and exchanges the code, so the page never connects
 * to another origin.
 */
import type { ConsolePageConfig, ConsoleSignInAnswer } from '../consolePage';
import { startSession } from './session';

const PENDING_KEY = 'relief-console:oidc-pending';

function randomToken(bytes: number): string {
  return base64Url(crypto.getRandomValues(new Uint8Array(bytes)));
}

function base64Url(bytes: Uint8Array): string {
  return btoa(String.fromCharCode(...bytes))
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .replace(/=+$/, '');
}

export async function beginOidcSignIn(config: ConsolePageConfig): Promise<void> {
  const verifier = randomToken(48);
  const state = randomToken(24);
  const challenge = base64Url(new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier))));
  sessionStorage.setItem(PENDING_KEY, JSON.stringify({ verifier, state, returnTo: window.location.hash }));
  window.location.assign(`${config.sessionUrl}/oidc/authorize?${new URLSearchParams({ state, code_challenge: challenge })}`);
}

/** On the way back from the provider (?code=…&state=…): trades the code for a session. */
export async function finishOidcSignIn(config: ConsolePageConfig): Promise<string | null> {
  const params = new URLSearchParams(window.location.search);
  const code = params.get('code');
  const state = params.get('state');
  const error = params.get('error');
  if (!code && !error) return null;
  const pending = JSON.parse(sessionStorage.getItem(PENDING_KEY) ?? 'null') as { verifier: string; state: string; returnTo: string } | null;
  sessionStorage.removeItem(PENDING_KEY);
  // The code must not stay in the address bar or the history.
  window.history.replaceState(null, '', `${window.location.pathname}${pending?.returnTo ?? ''}`);
  if (error) return params.get('error_description') ?? error;
  if (!pending || pending.state !== state) return 'The sign-in did not start in this tab; sign in again.';
  const response = await fetch(`${config.sessionUrl}/oidc/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ code, codeVerifier: pending.verifier }),
  });
  const body = (await response.json()) as Partial<ConsoleSignInAnswer> & { error?: string };
  if (!response.ok || !body.token) return body.error ?? String(response.status);
  startSession({ ...(body as ConsoleSignInAnswer), via: 'oidc' });
  return null;
}
