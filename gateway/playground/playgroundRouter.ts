/**
 * Serves the bundled GraphiQL playground from the gateway itself. The bundle
 * is produced by scripts/buildPlayground.ts into ./dist; nothing is loaded from
 * another host, which the Content-Security-Policy below enforces in the browser.
 *
 * Mount it before Apollo's middleware, on the same app or router:
 *
 *   app.use(createPlaygroundRouter({ graphqlPath: '/graphql', documents }));
 *   app.use('/graphql', express.json(), expressMiddleware(server));
 */
import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import express, { type NextFunction, type Request, type Response, type Router } from 'express';

export interface PlaygroundDocument {
  name: string;
  query: string;
}

export interface PlaygroundRouterOptions {
  /** Path of the GraphQL endpoint, relative to where this router is mounted. */
  graphqlPath: string;
  /** Operations preloaded as one GraphiQL tab each. */
  documents: PlaygroundDocument[];
  /** Where the built bundle lives; only needed when this file runs from a compiled copy. */
  distDir?: string;
}

/** Written by scripts/buildPlayground.ts next to the assets. */
export interface PlaygroundManifest {
  version: number;
  esbuild: string;
  fingerprint: string;
  app: { js: string; css: string };
  workers: { editor: string; json: string; graphql: string };
  /** Every servable file under assets/, with the size of its .gz sibling if one was written. */
  files: Record<string, { bytes: number; gzipBytes: number | null }>;
  /** Source files that went into the bundle, for the build's up-to-date check. */
  inputs: string[];
}

export const PLAYGROUND_ASSETS_PATH = '/playground/assets';

export const MISSING_BUNDLE_MESSAGE = 'The GraphQL playground bundle has not been built. Run `npm run build:playground` and reload.\n';

/**
 * Only the gateway's own origin may supply scripts, workers and connections.
 * 'unsafe-inline' styles are needed because Monaco and GraphiQL set element
 * styles at runtime; fonts and small images come as data: URLs from the CSS.
 * Sent on the assets as well, since a worker takes its CSP from its own script.
 */
export const PLAYGROUND_CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "worker-src 'self'",
  "connect-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "font-src 'self' data:",
  "img-src 'self' data:",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

const contentTypes: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.ttf': 'font/ttf',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
};

export function createPlaygroundRouter(options: PlaygroundRouterOptions): Router {
  const { graphqlPath } = options;
  if (!graphqlPath.startsWith('/')) {
    throw new Error(`graphqlPath must start with "/", got ${JSON.stringify(graphqlPath)}`);
  }
  const distDir = options.distDir ?? path.join(__dirname, 'dist');
  const assetsDir = path.join(distDir, 'assets');
  const documents = options.documents.map(({ name, query }) => ({ name, query }));
  const storageNamespace = `gateway-playground:${createHash('sha256').update(JSON.stringify(documents)).digest('hex').slice(0, 16)}`;
  const loadManifest = createManifestLoader(path.join(distDir, 'manifest.json'));

  const router = express.Router();

  const servePage = async (req: Request, res: Response): Promise<void> => {
    setSecurityHeaders(res);
    res.setHeader('Cache-Control', 'no-store');
    const manifest = await loadManifest();
    if (!manifest) {
      res.status(503).type('text/plain').send(MISSING_BUNDLE_MESSAGE);
      return;
    }
    // req.baseUrl keeps the URLs right if the router is mounted under a prefix.
    const assetUrl = (fileName: string): string => `${req.baseUrl}${PLAYGROUND_ASSETS_PATH}/${encodeURIComponent(fileName)}`;
    const config = {
      graphqlUrl: `${req.baseUrl}${graphqlPath}`,
      storageNamespace,
      documents,
      workers: {
        editor: assetUrl(manifest.workers.editor),
        json: assetUrl(manifest.workers.json),
        graphql: assetUrl(manifest.workers.graphql),
      },
    };
    res
      .status(200)
      .type('html')
      .send(renderPage({ scriptUrl: assetUrl(manifest.app.js), styleUrl: assetUrl(manifest.app.css), config }));
  };

  router.get('/', servePage);

  router.use((req: Request, res: Response, next: NextFunction) => {
    if (!isPlaygroundNavigation(req, graphqlPath)) {
      next();
      return;
    }
    servePage(req, res).catch(next);
  });

  router.get(`${PLAYGROUND_ASSETS_PATH}/:fileName`, async (req: Request, res: Response) => {
    const manifest = await loadManifest();
    setSecurityHeaders(res);
    if (!manifest) {
      res.status(503).type('text/plain').send(MISSING_BUNDLE_MESSAGE);
      return;
    }
    const fileName = req.params['fileName'];
    // Only files the build listed are served, which also rules out path tricks.
    const file = typeof fileName === 'string' && Object.hasOwn(manifest.files, fileName) ? manifest.files[fileName] : undefined;
    if (typeof fileName !== 'string' || file === undefined) {
      res.status(404).type('text/plain').send('Not found\n');
      return;
    }
    const gzip = file.gzipBytes !== null && req.acceptsEncodings('gzip') === 'gzip';
    res.setHeader('Content-Type', contentTypes[path.extname(fileName)] ?? 'application/octet-stream');
    res.setHeader('Vary', 'Accept-Encoding');
    if (gzip) {
      res.setHeader('Content-Encoding', 'gzip');
    }
    await new Promise<void>((resolve) => {
      res.sendFile(
        gzip ? `${fileName}.gz` : fileName,
        // File names carry a content hash, so they can be cached for good.
        { root: assetsDir, maxAge: '365d', immutable: true, acceptRanges: !gzip, dotfiles: 'deny' },
        (error?: Error) => {
          if (error && !res.headersSent) {
            // The dist folder was swapped by a rebuild between the manifest read and now.
            res.removeHeader('Content-Encoding');
            res.status(404).type('text/plain').send('Not found\n');
          }
          resolve();
        },
      );
    });
  });

  return router;
}

/**
 * True for a browser navigating to the GraphQL endpoint (address bar, link),
 * false for anything that should reach Apollo: POSTs, GET operations,
 * fetch()/XHR calls and clients that prefer JSON.
 */
function isPlaygroundNavigation(req: Request, graphqlPath: string): boolean {
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    return false;
  }
  const requestPath = req.path.length > 1 && req.path.endsWith('/') ? req.path.slice(0, -1) : req.path;
  if (requestPath !== graphqlPath) {
    return false;
  }
  const query: unknown = req.query;
  if (typeof query === 'object' && query !== null && ('query' in query || 'extensions' in query)) {
    return false;
  }
  // Fetch metadata headers are sent by every current browser; when present
  // they tell a real navigation apart from a script's request.
  const fetchMode = req.get('sec-fetch-mode');
  if (fetchMode !== undefined && fetchMode !== 'navigate') {
    return false;
  }
  const fetchDest = req.get('sec-fetch-dest');
  if (fetchDest !== undefined && fetchDest !== 'document') {
    return false;
  }
  // JSON is listed first so that "Accept: */*" (curl, most clients) goes to Apollo.
  return req.accepts(['application/json', 'application/graphql-response+json', 'text/html']) === 'text/html';
}

function setSecurityHeaders(res: Response): void {
  res.setHeader('Content-Security-Policy', PLAYGROUND_CONTENT_SECURITY_POLICY);
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('Referrer-Policy', 'no-referrer');
}

/** Re-reads manifest.json only when it changes, so a rebuild is picked up without a restart. */
function createManifestLoader(manifestPath: string): () => Promise<PlaygroundManifest | null> {
  let cached: { mtimeMs: number; size: number; manifest: PlaygroundManifest } | null = null;
  return async () => {
    try {
      const stats = await stat(manifestPath);
      if (cached && cached.mtimeMs === stats.mtimeMs && cached.size === stats.size) {
        return cached.manifest;
      }
      const manifest = JSON.parse(await readFile(manifestPath, 'utf8')) as PlaygroundManifest;
      cached = { mtimeMs: stats.mtimeMs, size: stats.size, manifest };
      return manifest;
    } catch {
      cached = null;
      return null;
    }
  };
}

function renderPage(page: { scriptUrl: string; styleUrl: string; config: unknown }): string {
  // Escaping "<" keeps "</script>" inside a document from closing the element.
  const configJson = JSON.stringify(page.config).replace(/</g, '\\u003c');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>GraphQL playground</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="${escapeAttribute(page.styleUrl)}">
<script type="application/json" id="playground-config">${configJson}</script>
<script src="${escapeAttribute(page.scriptUrl)}" defer></script>
</head>
<body>
<div id="root"></div>
</body>
</html>
`;
}

function escapeAttribute(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');
}
