// What the gateway and the console's browser code tell each other. No imports:
// the browser build and the server both read this file.

/** What the page is told about the gateway it runs on (the #console-config element). */
export interface ConsolePageConfig {
  graphqlUrl: string;
  /** Where the sign-in endpoints are: <sessionUrl>/accounts, /development, /oidc/… */
  sessionUrl: string;
  developmentSignIn: boolean;
  oidc: { issuer: string; clientId: string } | null;
}

/** A demo account the development sign-in offers (GET <sessionUrl>/accounts). */
export interface ConsoleAccount {
  sub: string;
  label: string;
  roles: string[];
  platform: string | null;
}

/** The answer of a sign-in endpoint. */
export interface ConsoleSignInAnswer {
  token: string;
  expiresAt: string;
  sub: string;
  roles: string[];
  platform: string | null;
}
