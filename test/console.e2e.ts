/**
 * The certification staff console at /console, in Debian's Chromium against
 * the real gateway and subgraphs: the development sign-in, the queue, an
 * approval, a decision someone else made first, an expired session that
 * keeps its draft, and a partner kept out of the staff views. Every request
 * the page makes is checked to stay on the gateway's origin.
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { CONSOLE_CONTENT_SECURITY_POLICY } from '../gateway/console/consoleRouter';
import { foreignRequests, launchChromium } from './support/browser';
import { startCatalog, type Catalog } from './support/catalogHarness';

const repoRoot = path.resolve(__dirname, '..');
const REVIEWER = 'reviewer:周建国';

interface QueueNode {
  id: string;
  version: number;
  product: { id: string; name: string };
}

const QUEUE = `query { certifications(status: PENDING, first: 100) { edges { node { id version product { id name } } } } }`;
const HISTORY = `query($id: ID!) { certification(id: $id) { status certificateNumber history { action actor note } } }`;

describe('staff console in a browser', () => {
  let catalog: Catalog;
  let browser: Browser;
  let origin: string;
  const contexts: BrowserContext[] = [];

  beforeAll(async () => {
    // Same command as postinstall; a no-op when dist/ already matches the sources.
    await promisify(execFile)(path.join(repoRoot, 'node_modules', '.bin', 'tsx'), ['scripts/buildConsole.ts'], { cwd: repoRoot });
    catalog = await startCatalog({ backend: 'pglite' });
    origin = new URL(catalog.gatewayUrl).origin;
    browser = await launchChromium();
  }, 180_000);

  afterAll(async () => {
    for (const context of contexts) await context.close();
    await browser?.close();
    await catalog?.close();
  });

  async function pending(): Promise<QueueNode[]> {
    const response = await catalog.query<{ certifications: { edges: { node: QueueNode }[] } }>(QUEUE, {}, catalog.token('test', ['certifier']));
    return response.data!.certifications.edges.map((edge) => edge.node);
  }

  /** A fresh browser context (its own sessionStorage) on /console, with what it requested recorded. */
  async function openConsole(): Promise<{ page: Page; requested: string[]; problems: string[] }> {
    const context = await browser.newContext({ viewport: { width: 1600, height: 1000 } });
    contexts.push(context);
    const requested: string[] = [];
    const problems: string[] = [];
    context.on('request', (request) => requested.push(request.url()));
    const page = await context.newPage();
    page.on('pageerror', (error) => problems.push(error.message));
    page.on('console', (message) => {
      if (/Content Security Policy/i.test(message.text())) problems.push(message.text());
    });
    const response = await page.goto(`${origin}/console`);
    expect(response?.status()).toBe(200);
    expect(response?.headers()['content-security-policy']).toBe(CONSOLE_CONTENT_SECURITY_POLICY);
    return { page, requested, problems };
  }

  async function signIn(page: Page, label: string): Promise<void> {
    await page.getByRole('button', { name: `登录 ${label}` }).click();
    await page.getByTestId('signed-in-as').waitFor();
  }

  const row = (page: Page, productName: string) => page.locator('tr.ant-table-row', { hasText: productName });

  test('a certifier signs in with the development sign-in and approves the oldest application', async () => {
    const [oldest] = await pending();
    const { page, requested, problems } = await openConsole();
    await signIn(page, '周建国（认定审核员）');

    // Oldest first: the first row of the queue is the oldest PENDING application.
    await expect(page.locator('tr.ant-table-row').first().textContent()).resolves.toContain(oldest!.product.name);
    await page.getByRole('button', { name: `批准 ${oldest!.product.name}` }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByRole('textbox', { name: '备注' }).fill('材料齐全，浏览器中批准');
    await dialog.getByRole('button', { name: '批准' }).click();
    await page.getByText(/已批准，证书编号 FP-\d{4}-\d{6}-\d+/).waitFor();
    await row(page, oldest!.product.name).waitFor({ state: 'detached' });

    const decided = await catalog.query<{ certification: { status: string; certificateNumber: string; history: { action: string; actor: string; note: string }[] } }>(
      HISTORY,
      { id: oldest!.id },
      catalog.token('test', ['certifier']),
    );
    expect(decided.data?.certification.status).toBe('APPROVED');
    expect(decided.data?.certification.history.at(-1)).toEqual({ action: 'APPROVED', actor: REVIEWER, note: '材料齐全，浏览器中批准' });

    // Every script, style and request came from the gateway, under its CSP.
    const assets = requested.filter((url) => url.startsWith(`${origin}/console/assets/`));
    expect(assets.length).toBeGreaterThanOrEqual(2);
    const asset = await fetch(assets[0]!);
    expect(asset.headers.get('content-security-policy')).toBe(CONSOLE_CONTENT_SECURITY_POLICY);
    expect(requested.some((url) => url === `${origin}/graphql`)).toBe(true);
    expect(foreignRequests(requested, origin)).toEqual([]);
    expect(problems).toEqual([]);
  });

  test('a decision someone else made first is named, and the row refreshes', async () => {
    const [target] = await pending();
    const { page, requested } = await openConsole();
    await signIn(page, '周建国（认定审核员）');
    await page.getByRole('button', { name: `驳回 ${target!.product.name}` }).click();
    await page.getByRole('dialog').getByRole('textbox', { name: '理由' }).fill('材料不全');

    // Meanwhile another reviewer approves it through the API.
    const validUntil = new Date(Date.now() + 365 * 86400_000).toISOString();
    const other = await catalog.query(
      `mutation($id: ID!, $v: Int!, $until: DateTime!) { approveCertification(id: $id, expectedVersion: $v, validUntil: $until) { id } }`,
      { id: target!.id, v: target!.version, until: validUntil },
      catalog.token('reviewer:杨丽', ['certifier']),
    );
    expect(other.errors).toBeUndefined();

    await page.getByRole('dialog').getByRole('button', { name: '驳回' }).click();
    await expect(page.getByTestId('conflict').textContent()).resolves.toMatch(
      new RegExp(`${target!.product.name}: 该申请已由 reviewer:杨丽 于 \\d{4}-\\d{2}-\\d{2} \\d{2}:\\d{2} 批准。`),
    );
    await row(page, target!.product.name).waitFor({ state: 'detached' });
    expect(foreignRequests(requested, origin)).toEqual([]);
  });

  test('an expired session returns to sign-in and the half-written reason survives', async () => {
    const [target] = await pending();
    const { page } = await openConsole();
    await signIn(page, '周建国（认定审核员）');
    await page.getByRole('button', { name: `驳回 ${target!.product.name}` }).click();
    await page.getByRole('dialog').getByRole('textbox', { name: '理由' }).fill('产地证明待补充');

    // The token runs out while the reason is being written.
    const expired = catalog.token(REVIEWER, ['certifier'], { ttlSeconds: -60 });
    await page.evaluate((token) => {
      // Runs in the page; the test's own TypeScript has no DOM types.
      const storage = (globalThis as unknown as { sessionStorage: { getItem(key: string): string | null; setItem(key: string, value: string): void } })
        .sessionStorage;
      const key = 'relief-console:session';
      const session = JSON.parse(storage.getItem(key) ?? '{}') as Record<string, unknown>;
      storage.setItem(key, JSON.stringify({ ...session, token }));
    }, expired);
    await page.getByRole('dialog').getByRole('button', { name: '驳回' }).click();
    await page.getByText('会话已过期，请重新登录。未提交的备注已保留。').waitFor();

    await signIn(page, '周建国（认定审核员）');
    await page.getByRole('button', { name: `驳回 ${target!.product.name}` }).click();
    await expect(page.getByRole('dialog').getByRole('textbox', { name: '理由' }).inputValue()).resolves.toBe('产地证明待补充');
    // Nothing was decided while signed out.
    expect((await pending()).map((node) => node.id)).toContain(target!.id);
  });

  test('a partner signs in but the staff queue answers FORBIDDEN and shows nothing', async () => {
    const { page } = await openConsole();
    await signIn(page, '京东（成员平台）');
    await page.getByText('当前账号没有认定工作人员权限，无法查看此页面。').waitFor();
    await expect(page.locator('tr.ant-table-row').count()).resolves.toBe(0);
  });

  test('the development sign-in takes only a JSON body naming a demo account', async () => {
    const accounts = await fetch(`${origin}/console/session/accounts`);
    expect(accounts.status).toBe(200);
    const refused = await fetch(`${origin}/console/session/development`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: `sub=${encodeURIComponent(REVIEWER)}`,
    });
    expect(refused.status).toBe(400);
    const unknown = await fetch(`${origin}/console/session/development`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ sub: 'someone-else' }),
    });
    expect(unknown.status).toBe(400);
  });
});
