/**
 * Serves the certification staff console at /console: the page, the bundle
 * scripts/buildConsole.ts wrote to ./dist, and the development sign-in.
 * Everything the page loads comes from this router, which the
 * Content-Security-Policy below holds the browser to.
 */
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import { DEMO_ACCOUNTS } from '../../demo/demoStaff';
import { mintToken } from '../../common/localTokens';
import type { OidcTokenVerifier } from '../oidcTokens';
import type { ConsolePageConfig, ConsoleSignInAnswer } from './consolePage';
import type { ConsoleSettings } from './consoleSettings';

export const CONSOLE_PATH = '/console';

/** Written by scripts/buildConsole.ts next to the assets. */
export interface ConsoleManifest {
  version: number;
  esbuild: string;
  fingerprint: string;
  app: { js: string; css: string };
  files: Record<string, { bytes: number; gzipBytes: number | null }>;
  inputs: string[];
}

export const MISSING_CONSOLE_MESSAGE = 'The console bundle has not been built. Run `npm run build:console` and reload.\n';

/**
 * Scripts, connections and images only from the gateway itself. Styles allow
 * 'unsafe-inline' because Ant Design writes its CSS-in-JS into <style>
 * elements at runtime; scripts stay strict ('self' only, no eval).
 */
export const CONSOLE_CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "connect-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "font-src 'self'",
  "img-src 'self' data: blob:",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

const contentTypes: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
};

export interface ConsoleRouterOptions {
  settings: ConsoleSettings;
  /** The HS256 secret development sign-in tokens are signed with (the development AUTH_SECRET). */
  developmentSecret: string | null;
  graphqlPath: string;
  /** Verifies the ID tokens the OpenID provider issues (AUTH_JWKS_URL); null without one. */
  oidcVerifier?: OidcTokenVerifier | null;
  /** Where failures of the OpenID provider are logged (never shown to the browser). */
  log?: (entry: Record<string, unknown>) => void;
  distDir?: string;
}

interface ProviderEndpoints {
  authorization_endpoint: string;
  token_endpoint: string;
}

export function createConsoleRouter(options: ConsoleRouterOptions): Router {
  const { settings } = options;
  const distDir = options.distDir ?? path.join(__dirname, 'dist');
  const loadManifest = manifestLoader(path.join(distDir, 'manifest.json'));
  const developmentSignIn = settings.developmentSignIn && options.developmentSecret !== null;
  const router = express.Router();

  router.use(CONSOLE_PATH, (_req, res, next) => {
    res.setHeader('Content-Security-Policy', CONSOLE_CONTENT_SECURITY_POLICY);
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('Referrer-Policy', 'no-referrer');
    next();
  });

  router.get(`${CONSOLE_PATH}/session/accounts`, (_req, res) => {
    if (!developmentSignIn) {
      res.status(404).json({ error: 'The development sign-in is off.' });
      return;
    }
    res.setHeader('Cache-Control', 'no-store');
    res.json({ accounts: DEMO_ACCOUNTS });
  });

  router.post(`${CONSOLE_PATH}/session/development`, express.json({ limit: 4096 }), (req: Request, res: Response) => {
    res.setHeader('Cache-Control', 'no-store');
    if (!developmentSignIn || options.developmentSecret === null) {
      res.status(404).json({ error: 'The development sign-in is off.' });
      return;
    }
    // A JSON body (never a form) keeps other sites' pages from signing a visitor in.
    const body = (req.body ?? {}) as { sub?: unknown };
    const sub = req.is('application/json') && typeof body.sub === 'string' ? body.sub : null;
    const account = DEMO_ACCOUNTS.find((candidate) => candidate.sub === sub);
    if (!account) {
      res.status(400).json({ error: 'Choose one of the demo accounts.' });
      return;
    }
    const token = mintToken(account, options.developmentSecret, settings.sessionSeconds);
    const answer: ConsoleSignInAnswer = {
      token,
      expiresAt: new Date(Date.now() + settings.sessionSeconds * 1000).toISOString(),
      sub: account.sub,
      roles: account.roles,
      platform: account.platform,
    };
    res.json(answer);
  });

  // OpenID Connect, authorization code with PKCE. The browser keeps the
  // verifier and the state; the gateway talks to the provider, so the page
  // itself never connects to another origin.
  const oidc = settings.oidc;
  let endpoints: Promise<ProviderEndpoints> | null = null;
  const providerEndpoints = (): Promise<ProviderEndpoints> => {
    if (!oidc) return Promise.reject(new Error('OpenID Connect is not configured'));
    endpoints ??= fetch(`${oidc.issuer}/.well-known/openid-configuration`, { signal: AbortSignal.timeout(5000) })
      .then(async (response) => {
        if (!response.ok) throw new Error(`discovery answered ${response.status}`);
        const document = (await response.json()) as Partial<ProviderEndpoints>;
        if (!document.authorization_endpoint || !document.token_endpoint) throw new Error('discovery document lacks endpoints');
        return document as ProviderEndpoints;
      })
      .catch((error: unknown) => {
        endpoints = null;
        throw error;
      });
    return endpoints;
  };
  const redirectUri = (req: Request) => `${req.protocol}://${req.get('host')}${req.baseUrl}${CONSOLE_PATH}/`;
  const providerFailed = (res: Response, error: unknown) => {
    options.log?.({ msg: 'OpenID provider request failed', err: String(error) });
    res.status(502).json({ error: 'The identity provider could not be reached; try again.' });
  };

  router.get(`${CONSOLE_PATH}/session/oidc/authorize`, (req: Request, res: Response) => {
    const state = typeof req.query['state'] === 'string' ? req.query['state'] : '';
    const challenge = typeof req.query['code_challenge'] === 'string' ? req.query['code_challenge'] : '';
    if (!oidc) {
      res.status(404).json({ error: 'OpenID Connect sign-in is off.' });
      return;
    }
    if (!/^[\w-]{16,128}$/.test(state) || !/^[\w-]{43}$/.test(challenge)) {
      res.status(400).json({ error: 'state and an S256 code_challenge are required.' });
      return;
    }
    providerEndpoints()
      .then(({ authorization_endpoint }) => {
        const target = new URL(authorization_endpoint);
        target.search = new URLSearchParams({
          response_type: 'code',
          client_id: oidc.clientId,
          redirect_uri: redirectUri(req),
          scope: 'openid profile',
          state,
          code_challenge: challenge,
          code_challenge_method: 'S256',
        }).toString();
        res.redirect(302, target.toString());
      })
      .catch((error: unknown) => providerFailed(res, error));
  });

  router.post(`${CONSOLE_PATH}/session/oidc/token`, express.json({ limit: 4096 }), (req: Request, res: Response) => {
    res.setHeader('Cache-Control', 'no-store');
    const verifier = options.oidcVerifier;
    if (!oidc || !verifier) {
      res.status(404).json({ error: 'OpenID Connect sign-in is off.' });
      return;
    }
    const body = (req.body ?? {}) as { code?: unknown; codeVerifier?: unknown };
    const code = req.is('application/json') && typeof body.code === 'string' ? body.code : '';
    const codeVerifier = typeof body.codeVerifier === 'string' ? body.codeVerifier : '';
    if (!code || !/^[\w.~-]{43,128}$/.test(codeVerifier)) {
      res.status(400).json({ error: 'code and codeVerifier are required.' });
      return;
    }
    providerEndpoints()
      .then(async ({ token_endpoint }) => {
        const answer = await fetch(token_endpoint, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams({
            grant_type: 'authorization_code',
            code,
            redirect_uri: redirectUri(req),
            client_id: oidc.clientId,
            code_verifier: codeVerifier,
          }),
          signal: AbortSignal.timeout(5000),
        });
        const body = (await answer.json().catch(() => ({}))) as { id_token?: string };
        if (!answer.ok || !body.id_token) {
          // An expired or replayed code: the user signs in again.
          res.status(401).json({ error: 'The sign-in was not accepted; sign in again.' });
          return;
        }
        let identity;
        try {
          identity = await verifier(body.id_token);
        } catch {
          res.status(401).json({ error: "The identity provider's token was not valid." });
          return;
        }
        const claims = JSON.parse(Buffer.from(body.id_token.split('.')[1] ?? '', 'base64url').toString('utf8')) as { exp?: number };
        const signedIn: ConsoleSignInAnswer = {
          token: body.id_token,
          expiresAt: new Date((claims.exp ?? 0) * 1000).toISOString(),
          sub: identity.sub,
          roles: identity.roles,
          platform: identity.platform,
        };
        res.json(signedIn);
      })
      .catch((error: unknown) => providerFailed(res, error));
  });

  router.get(`${CONSOLE_PATH}/assets/:fileName`, async (req: Request, res: Response) => {
    const manifest = await loadManifest();
    const fileName = req.params['fileName'];
    const file = manifest && typeof fileName === 'string' && Object.hasOwn(manifest.files, fileName) ? manifest.files[fileName] : undefined;
    if (!manifest || typeof fileName !== 'string' || file === undefined) {
      res.status(404).type('text/plain').send('Not found\n');
      return;
    }
    const gzip = file.gzipBytes !== null && req.acceptsEncodings('gzip') === 'gzip';
    res.setHeader('Content-Type', contentTypes[path.extname(fileName)] ?? 'application/octet-stream');
    res.setHeader('Vary', 'Accept-Encoding');
    if (gzip) res.setHeader('Content-Encoding', 'gzip');
    await new Promise<void>((resolve) => {
      res.sendFile(
        gzip ? `${fileName}.gz` : fileName,
        { root: path.join(distDir, 'assets'), maxAge: '365d', immutable: true, acceptRanges: !gzip, dotfiles: 'deny' },
        (error?: Error) => {
          if (error && !res.headersSent) {
            res.removeHeader('Content-Encoding');
            res.status(404).type('text/plain').send('Not found\n');
          }
          resolve();
        },
      );
    });
  });

  // The page itself, for /console and every client-side route under it.
  router.get([CONSOLE_PATH, `${CONSOLE_PATH}/{*route}`], (req: Request, res: Response, next: NextFunction) => {
    if (req.path.startsWith(`${CONSOLE_PATH}/assets/`) || req.path.startsWith(`${CONSOLE_PATH}/session/`)) {
      next();
      return;
    }
    res.setHeader('Cache-Control', 'no-store');
    loadManifest()
      .then((manifest) => {
        if (!manifest) {
          res.status(503).type('text/plain').send(MISSING_CONSOLE_MESSAGE);
          return;
        }
        const assetUrl = (fileName: string) => `${req.baseUrl}${CONSOLE_PATH}/assets/${encodeURIComponent(fileName)}`;
        const config: ConsolePageConfig = {
          graphqlUrl: `${req.baseUrl}${options.graphqlPath}`,
          sessionUrl: `${req.baseUrl}${CONSOLE_PATH}/session`,
          developmentSignIn,
          oidc: settings.oidc,
        };
        res
          .status(200)
          .type('html')
          .send(renderPage(assetUrl(manifest.app.js), assetUrl(manifest.app.css), config));
      })
      .catch(next);
  });

  return router;
}

function manifestLoader(manifestPath: string): () => Promise<ConsoleManifest | null> {
  let cached: { mtimeMs: number; size: number; manifest: ConsoleManifest } | null = null;
  return async () => {
    try {
      const stats = await stat(manifestPath);
      if (cached && cached.mtimeMs === stats.mtimeMs && cached.size === stats.size) return cached.manifest;
      const manifest = JSON.parse(await readFile(manifestPath, 'utf8')) as ConsoleManifest;
      cached = { mtimeMs: stats.mtimeMs, size: stats.size, manifest };
      return manifest;
    } catch {
      cached = null;
      return null;
    }
  };
}

function renderPage(scriptUrl: string, styleUrl: string, config: ConsolePageConfig): string {
  // Escaping "<" keeps a "</script>" in a value from closing the element.
  const configJson = JSON.stringify(config).replace(/</g, '\\u003c');
  const attribute = (value: string) => value.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');
  return `<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>消费帮扶产品认定工作台</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="${attribute(styleUrl)}">
<script type="application/json" id="console-config">${configJson}</script>
<script src="${attribute(scriptUrl)}" defer></script>
</head>
<body>
<div id="root"></div>
</body>
</html>
`;
}
