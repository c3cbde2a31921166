/**
 * Drives the bundled GraphiQL playground in Debian's Chromium against a small
 * Apollo server, and proves the page only ever talks to the gateway's origin.
 *
 * Needs /usr/bin/chromium (apt-get install -y chromium). Set
 * PLAYGROUND_SCREENSHOT=/tmp/playground.png to keep a picture of the page.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { PLAYGROUND_CONTENT_SECURITY_POLICY } from '../gateway/playground/playgroundRouter';
import { chromiumArgs, chromiumPath } from './support/browser';
import { startCatalog, type Catalog } from './support/catalogHarness';
import { documents, graphqlPath, greeting, startServer, type RunningServer } from './support/playgroundServer';

const repoRoot = path.resolve(__dirname, '..');
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
