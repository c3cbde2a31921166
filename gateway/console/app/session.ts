/**
 * The signed-in staff member's token, kept in sessionStorage (one tab, gone
 * when it closes). An expired or refused token ends the session but leaves
 * drafts alone, so signing in again brings a half-written note back.
 */
export interface Session {
  token: string;
  sub: string;
  roles: string[];
  platform: string | null;
  /** ISO time the token expires. */
  expiresAt: string;
  /** How it was made: the development sign-in or OpenID Connect. */
  via: 'development' | 'oidc';
}

export type SessionEnd = 'signed-out' | 'expired';

const KEY = 'relief-console:session';
type Listener = (session: Session | null, ended: SessionEnd | null) => void;
const listeners = new Set<Listener>();
let timer: number | undefined;

export function currentSession(): Session | null {
  const raw = sessionStorage.getItem(KEY);
  if (!raw) return null;
  try {
    const session = JSON.parse(raw) as Session;
    return Date.parse(session.expiresAt) > Date.now() ? session : null;
  } catch {
    return null;
  }
}

export function startSession(session: Session): void {
  sessionStorage.setItem(KEY, JSON.stringify(session));
  scheduleExpiry(session);
  for (const listener of listeners) listener(session, null);
}

export function endSession(reason: SessionEnd): void {
  if (!sessionStorage.getItem(KEY)) return;
  sessionStorage.removeItem(KEY);
  window.clearTimeout(timer);
  for (const listener of listeners) listener(null, reason);
}

export function onSessionChange(listener: Listener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

function scheduleExpiry(session: Session): void {
  window.clearTimeout(timer);
  const left = Date.parse(session.expiresAt) - Date.now();
  // setTimeout holds at most about 24.8 days; sessions are far shorter.
  timer = window.setTimeout(() => endSession('expired'), Math.max(0, Math.min(left, 2 ** 31 - 1)));
}

const restored = currentSession();
if (restored) scheduleExpiry(restored);

/** The claims of a JWT, read without verifying it (the gateway verifies; this only labels the page). */
export function tokenClaims(token: string): Record<string, unknown> {
  const payload = token.split('.')[1] ?? '';
  const json = atob(payload.replace(/-/g, '+').replace(/_/g, '/'));
  const bytes = Uint8Array.from(json, (char) => char.charCodeAt(0));
  return JSON.parse(new TextDecoder().decode(bytes)) as Record<string, unknown>;
}
