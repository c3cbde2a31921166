/**
 * Drives the bundled GraphiQL playground in Debian's Chromium against a small
 * Apollo server, and proves the page only ever talks to the gateway's origin.
 *
 * Needs /usr/bin/chromium (apt-get install -y chromium). Set
 * PLAYGROUND_SCREENSHOT=/tmp/playground.png to keep a picture of the page.
 */
import { execFile } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { ApolloServer } from '@apollo/server';
import { expressMiddleware } from '@as-integrations/express5';
import express from 'express';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import {
  createPlaygroundRouter,
  PLAYGROUND_CONTENT_SECURITY_POLICY,
  type PlaygroundDocument,
} from '../gateway/playground/playgroundRouter';

const chromiumPath = '/usr/bin/chromium';
const chromiumArgs = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
const repoRoot = path.resolve(__dirname, '..');
const graphqlPath = '/graphql';
const greeting = 'world from the test server';

const documents: PlaygroundDocument[] = [
  { name: 'Hello', query: 'query Hello {\n  hello\n}\n' },
  { name: 'Typename', query: 'query Typename {\n  __typename\n}\n' },
];

interface RunningServer {
  origin: string;
  close(): Promise<void>;
}

async function startServer(distDir?: string): Promise<RunningServer> {
  const apollo = new ApolloServer({
    typeDefs: 'type Query { hello: String }',
    resolvers: { Query: { hello: () => greeting } },
  });
  await apollo.start();
  const app = express();
  app.use(createPlaygroundRouter({ graphqlPath, documents, ...(distDir === undefined ? {} : { distDir }) }));
  app.use(graphqlPath, express.json(), expressMiddleware(apollo));
  const server = http.createServer(app);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
      await apollo.stop();
    },
  };
}

/** Text of the response pane; Playwright's text matching folds Monaco's &nbsp; into spaces. */
async function waitForResponse(page: Page, text: string): Promise<void> {
  await page.locator('section.result-window', { hasText: text }).waitFor({ timeout: 20_000 });
}

async function runActiveTab(page: Page): Promise<void> {
  await page.getByRole('button', { name: /^Execute query/ }).click();
}

describe('GraphQL playground in a browser', () => {
  let server: RunningServer | undefined;
  let browser: Browser | undefined;
  const contexts: BrowserContext[] = [];
  const requestedUrls: string[] = [];
  const workerUrls: string[] = [];
  const consoleProblems: string[] = [];
  const pageErrors: string[] = [];

  beforeAll(async () => {
    if (!existsSync(chromiumPath)) {
      throw new Error(`${chromiumPath} is missing: install it with apt-get install -y chromium`);
    }
    // Same command as postinstall; a no-op when dist/ already matches the sources.
    await promisify(execFile)(path.join(repoRoot, 'node_modules', '.bin', 'tsx'), ['scripts/buildPlayground.ts'], {
      cwd: repoRoot,
    });
    server = await startServer();
    browser = await chromium.launch({ executablePath: chromiumPath, args: chromiumArgs });
  }, 120_000);

  afterAll(async () => {
    for (const context of contexts) {
      await context.close();
    }
    await browser?.close();
    await server?.close();
  });

  /** Each page gets its own context, so GraphiQL's localStorage starts empty. */
  async function openPage(url: string): Promise<Page> {
    if (!browser) {
      throw new Error('browser was not started');
    }
    const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
    contexts.push(context);
    // Context-wide, so requests from workers and any popup are recorded too.
    context.on('request', (request) => requestedUrls.push(request.url()));
    const page = await context.newPage();
    page.on('worker', (worker) => workerUrls.push(worker.url()));
    page.on('pageerror', (error) => pageErrors.push(error.message));
    page.on('console', (message) => {
      if (message.type() === 'error' || message.type() === 'warning') {
        consoleProblems.push(message.text());
      }
    });
    const response = await page.goto(url);
    expect(response?.status()).toBe(200);
    expect(response?.headers()['content-security-policy']).toBe(PLAYGROUND_CONTENT_SECURITY_POLICY);
    await page.locator('.graphiql-query-editor .monaco-editor').waitFor({ timeout: 30_000 });
    return page;
  }

  test('shows the contract documents as tabs and runs selected and typed operations', async () => {
    const origin = server?.origin ?? '';
    const page = await openPage(`${origin}/`);

    await expect(page.locator('.graphiql-tab-button').allTextContents()).resolves.toEqual(
      documents.map((document) => document.name),
    );

    await page.getByRole('tab', { name: 'Typename' }).getByRole('button', { name: 'Typename' }).click();
    await page.locator('.graphiql-query-editor', { hasText: 'query Typename' }).waitFor();
    await runActiveTab(page);
    await waitForResponse(page, '"__typename": "Query"');

    await page.getByRole('tab', { name: 'Hello' }).getByRole('button', { name: 'Hello' }).click();
    await page.locator('.graphiql-query-editor', { hasText: 'query Hello' }).waitFor();
    await runActiveTab(page);
    await waitForResponse(page, `"hello": "${greeting}"`);

    await page.locator('.graphiql-query-editor .view-lines').click();
    await page.keyboard.press('Control+A');
    // insertText skips Monaco's bracket auto-closing, which would garble typed braces.
    await page.keyboard.insertText('query Typed { greeting: hello }');
    // GraphiQL takes editor changes after a debounce; the tab being renamed
    // after the new operation shows it has, so Execute runs the typed text.
    await page.getByRole('tab', { name: 'Typed' }).waitFor();
    await runActiveTab(page);
    await waitForResponse(page, `"greeting": "${greeting}"`);

    const screenshotPath = process.env['PLAYGROUND_SCREENSHOT'];
    if (screenshotPath) {
      await page.screenshot({ path: screenshotPath });
    }

    // Both Monaco workers come from the gateway, not from a blob or a CDN.
    for (const worker of ['editor.worker-', 'graphql.worker-']) {
      expect(workerUrls.some((url) => url.startsWith(`${origin}/playground/assets/${worker}`))).toBe(true);
    }
    await page.close();
  });

  test('a browser opening the GraphQL endpoint gets the playground', async () => {
    const origin = server?.origin ?? '';
    const page = await openPage(`${origin}${graphqlPath}`);
    await expect(page.locator('.graphiql-tab-button').allTextContents()).resolves.toEqual(
      documents.map((document) => document.name),
    );
    await runActiveTab(page);
    await waitForResponse(page, `"hello": "${greeting}"`);
    await page.close();
  });

  test('the page made no request outside its own origin and hit no CSP violation', () => {
    const origin = server?.origin ?? '';
    expect(requestedUrls.length).toBeGreaterThan(0);
    const foreign = requestedUrls.filter(
      (url) => !(url.startsWith('data:') || url.startsWith('blob:') || new URL(url).origin === origin),
    );
    expect(foreign).toEqual([]);
    expect(consoleProblems.filter((text) => /Content Security Policy/i.test(text))).toEqual([]);
    expect(pageErrors).toEqual([]);
  });
});

describe('GraphQL playground routes', () => {
  let server: RunningServer | undefined;

  beforeAll(async () => {
    server = await startServer();
  });

  afterAll(async () => {
    await server?.close();
  });

  test('API requests to the endpoint still reach Apollo', async () => {
    const origin = server?.origin ?? '';
    const post = await fetch(`${origin}${graphqlPath}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ hello }' }),
    });
    await expect(post.json()).resolves.toEqual({ data: { hello: greeting } });

    // Apollo answers these itself (its landing page, CSRF errors); what matters
    // is that the playground did not take over requests that are not navigations.
    const notThePlayground = async (response: Response): Promise<void> => {
      expect(response.headers.get('content-security-policy')).not.toBe(PLAYGROUND_CONTENT_SECURITY_POLICY);
      expect(await response.text()).not.toContain('playground-config');
    };

    // A script's fetch that happens to accept HTML is not a navigation.
    await notThePlayground(
      await fetch(`${origin}${graphqlPath}`, {
        headers: { accept: 'text/html', 'sec-fetch-mode': 'cors', 'sec-fetch-dest': 'empty' },
      }),
    );
    await notThePlayground(await fetch(`${origin}${graphqlPath}`, { headers: { accept: '*/*' } }));
    await notThePlayground(
      await fetch(`${origin}${graphqlPath}?query=%7Bhello%7D`, {
        headers: { accept: 'text/html', 'apollo-require-preflight': 'true' },
      }),
    );

    const navigation = await fetch(`${origin}${graphqlPath}`, {
      headers: { accept: 'text/html,application/xhtml+xml,*/*;q=0.8', 'sec-fetch-mode': 'navigate', 'sec-fetch-dest': 'document' },
    });
    expect(await navigation.text()).toContain('playground-config');
  });

  test('assets are served with content types, long-lived caching and the CSP', async () => {
    const origin = server?.origin ?? '';
    const page = await (await fetch(`${origin}/`)).text();
    const scriptPath = /<script src="([^"]+)"/.exec(page)?.[1];
    const stylePath = /<link rel="stylesheet" href="([^"]+)"/.exec(page)?.[1];
    expect(scriptPath).toMatch(/^\/playground\/assets\/app-\w+\.js$/);
    expect(stylePath).toMatch(/^\/playground\/assets\/app-\w+\.css$/);

    const script = await fetch(`${origin}${scriptPath ?? ''}`);
    expect(script.status).toBe(200);
    expect(script.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(script.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(script.headers.get('content-security-policy')).toBe(PLAYGROUND_CONTENT_SECURITY_POLICY);

    const style = await fetch(`${origin}${stylePath ?? ''}`);
    expect(style.headers.get('content-type')).toBe('text/css; charset=utf-8');
    // No stylesheet rule may point at another host (fonts are inlined).
    expect(await style.text()).not.toMatch(/url\(\s*["']?(https?:)?\/\//);

    expect((await fetch(`${origin}/playground/assets/..%2Fmanifest.json`)).status).toBe(404);
    expect((await fetch(`${origin}/playground/assets/nope.js`)).status).toBe(404);
  });

  test('answers 503 with the build command when the bundle is missing', async () => {
    const emptyDir = await mkdtemp(path.join(os.tmpdir(), 'playground-missing-'));
    const bare = await startServer(emptyDir);
    try {
      const response = await fetch(`${bare.origin}/`);
      expect(response.status).toBe(503);
      expect(await response.text()).toContain('npm run build:playground');
    } finally {
      await bare.close();
      await rm(emptyDir, { recursive: true, force: true });
    }
  });
});
