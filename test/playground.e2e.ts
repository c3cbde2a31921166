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
import { createPlaygroundRouter, PLAYGROUND_CONTENT_SECURITY_POLICY, type PlaygroundDocument } from '../gateway/playground/playgroundRouter';
import { chromiumArgs, chromiumPath } from './support/browser';
import { startCatalog, type Catalog } from './support/catalogHarness';

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

async function rawGet(url: string, headers: Record<string, string>): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }> {
  const response = await new Promise<http.IncomingMessage>((resolve, reject) => {
    http.get(url, { headers }, resolve).on('error', reject);
  });
  response.setEncoding('utf8');
  let body = '';
  for await (const chunk of response) {
    body += chunk as string;
  }
  return { status: response.statusCode ?? 0, headers: response.headers, body };
}

/** Text of the response pane; Playwright's text matching folds Monaco's &nbsp; into spaces. */
async function waitForResponse(page: Page, text: string): Promise<void> {
  await page.locator('section.result-window', { hasText: text }).waitFor({ timeout: 20_000 });
}

/**
 * GraphiQL re-derives the operation name from the editor 100 ms (debounced)
 * after its text changes, including on a tab switch, and nothing in the DOM
 * marks the moment; running sooner sends the previous tab's operationName.
 */
async function runActiveTab(page: Page): Promise<void> {
  await page.waitForTimeout(400);
  await page.getByRole('button', { name: /^Execute query/ }).click();
}

/** Everything a page did that the same-origin guarantee is judged on. */
interface PageActivity {
  requestedUrls: string[];
  workerUrls: string[];
  consoleProblems: string[];
  pageErrors: string[];
}

/** Requests, CSP reports and script errors gathered while the page was used. */
function expectOnlyOwnOrigin(activity: PageActivity, origin: string): void {
  expect(activity.requestedUrls.length).toBeGreaterThan(0);
  const foreign = activity.requestedUrls.filter((url) => !(url.startsWith('data:') || url.startsWith('blob:') || new URL(url).origin === origin));
  expect(foreign).toEqual([]);
  // Both Monaco workers come from the gateway, not from a blob or a CDN.
  for (const worker of ['editor.worker-', 'graphql.worker-']) {
    expect(activity.workerUrls.some((url) => url.startsWith(`${origin}/playground/assets/${worker}`))).toBe(true);
  }
  expect(activity.consoleProblems.filter((text) => /Content Security Policy/i.test(text))).toEqual([]);
  expect(activity.pageErrors).toEqual([]);
}

describe('GraphQL playground in a browser', () => {
  let server: RunningServer | undefined;
  let browser: Browser | undefined;
  const contexts: BrowserContext[] = [];

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
  async function openPage(url: string): Promise<{ page: Page; activity: PageActivity }> {
    if (!browser) {
      throw new Error('browser was not started');
    }
    const activity: PageActivity = { requestedUrls: [], workerUrls: [], consoleProblems: [], pageErrors: [] };
    const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
    contexts.push(context);
    // Context-wide, so requests from workers and any popup are recorded too.
    context.on('request', (request) => activity.requestedUrls.push(request.url()));
    const page = await context.newPage();
    page.on('worker', (worker) => activity.workerUrls.push(worker.url()));
    page.on('pageerror', (error) => activity.pageErrors.push(error.message));
    page.on('console', (message) => {
      if (message.type() === 'error' || message.type() === 'warning') {
        activity.consoleProblems.push(message.text());
      }
    });
    const response = await page.goto(url);
    expect(response?.status()).toBe(200);
    expect(response?.headers()['content-security-policy']).toBe(PLAYGROUND_CONTENT_SECURITY_POLICY);
    await page.locator('.graphiql-query-editor .monaco-editor').waitFor({ timeout: 30_000 });
    return { page, activity };
  }

  test('shows the contract documents as tabs and runs selected and typed operations', async () => {
    const origin = server?.origin ?? '';
    const { page, activity } = await openPage(`${origin}/`);

    await expect(page.locator('.graphiql-tab-button').allTextContents()).resolves.toEqual(documents.map((document) => document.name));

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
    await page.close();
    expectOnlyOwnOrigin(activity, origin);
  });

  test('a browser opening the GraphQL endpoint gets the playground', async () => {
    const origin = server?.origin ?? '';
    const { page, activity } = await openPage(`${origin}${graphqlPath}`);
    await expect(page.locator('.graphiql-tab-button').allTextContents()).resolves.toEqual(documents.map((document) => document.name));
    await runActiveTab(page);
    await waitForResponse(page, `"hello": "${greeting}"`);

    // Schema-aware completion comes from the bundled graphql worker, so this
    // shows the worker runs under the CSP rather than merely being fetched.
    await page.locator('.graphiql-query-editor .view-lines').click();
    await page.keyboard.press('Control+A');
    await page.keyboard.insertText('query Complete { he');
    await page.keyboard.press('Control+Space');
    await page.locator('.suggest-widget .monaco-list-row', { hasText: 'hello' }).waitFor({ timeout: 20_000 });
    await page.close();
    expectOnlyOwnOrigin(activity, origin);
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
    // is that the playground did not take them over. node:http rather than
    // fetch, because fetch always adds its own Sec-Fetch-Mode: cors.
    const notThePlayground = async (pathAndQuery: string, headers: Record<string, string>): Promise<void> => {
      const response = await rawGet(`${origin}${pathAndQuery}`, headers);
      expect(response.headers['content-security-policy']).not.toBe(PLAYGROUND_CONTENT_SECURITY_POLICY);
      expect(response.body).not.toContain('playground-config');
    };
    await notThePlayground(graphqlPath, { accept: 'text/html', 'sec-fetch-mode': 'cors', 'sec-fetch-dest': 'empty' });
    await notThePlayground(graphqlPath, { accept: '*/*' });
    await notThePlayground(graphqlPath, { accept: 'application/json' });
    await notThePlayground(`${graphqlPath}?query=%7Bhello%7D`, {
      accept: 'text/html',
      'apollo-require-preflight': 'true',
    });

    const browserAccept = 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8';
    const navigations: Array<Record<string, string>> = [
      { accept: browserAccept, 'sec-fetch-mode': 'navigate', 'sec-fetch-dest': 'document' },
      // Older browsers and curl -H 'Accept: text/html' send no fetch metadata.
      { accept: browserAccept },
    ];
    for (const headers of navigations) {
      const navigation = await rawGet(`${origin}${graphqlPath}`, headers);
      expect(navigation.status).toBe(200);
      expect(navigation.body).toContain('playground-config');
    }
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

describe('GraphQL playground on the real gateway', () => {
  let catalog: Catalog | undefined;
  let browser: Browser | undefined;

  beforeAll(async () => {
    if (!existsSync(chromiumPath)) {
      throw new Error(`${chromiumPath} is missing: install it with apt-get install -y chromium`);
    }
    catalog = await startCatalog({ backend: 'pglite' });
    browser = await chromium.launch({ executablePath: chromiumPath, args: chromiumArgs });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await catalog?.close();
  });

  test('preloads the contract operations and runs one against the federated catalog', async () => {
    const origin = new URL(catalog!.gatewayUrl).origin;
    const context = await browser!.newContext({ viewport: { width: 1400, height: 900 } });
    const requested: string[] = [];
    context.on('request', (request) => requested.push(request.url()));
    const page = await context.newPage();
    expect((await page.goto(`${origin}/`))?.status()).toBe(200);
    await page.locator('.graphiql-query-editor .monaco-editor').waitFor({ timeout: 30_000 });
    const tabs = await page.locator('.graphiql-tab-button').allTextContents();
    expect(tabs).toEqual(expect.arrayContaining(['CatalogPage', 'ProductDetail', 'Platforms', 'CertificationQueue']));
    await page.getByRole('tab', { name: 'Platforms' }).getByRole('button', { name: 'Platforms' }).click();
    await page.locator('.graphiql-query-editor', { hasText: 'query Platforms' }).waitFor();
    await runActiveTab(page);
    await waitForResponse(page, '京东');
    await context.close();
    expect(requested.filter((url) => !(url.startsWith('data:') || url.startsWith('blob:') || new URL(url).origin === origin))).toEqual([]);
  });
});
