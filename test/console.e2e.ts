/**
 * The certification staff console at /console, in Debian's Chromium against
 * the real gateway and subgraphs: the development sign-in, the queue, an
 * approval, a decision someone else made first, an expired session that
 * keeps its draft, and a partner kept out of the staff views. Every request
 * the page makes is checked to stay on the gateway's origin.
 */
import { execFile } from 'node:child_process';
import { mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import ExcelJS from 'exceljs';
import jwt from 'jsonwebtoken';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { CONSOLE_CONTENT_SECURITY_POLICY } from '../gateway/console/consoleRouter';
import { DEV_AUTH_SECRET } from '../common/identity';
import { foreignRequests, launchChromium } from './support/browser';
import { freePort, startCatalog, type Catalog } from './support/catalogHarness';
import { startProcess, waitForOk, type RunningProcess } from './support/processes';

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
  let provider: RunningProcess | undefined;
  let issuer: string;
  const contexts: BrowserContext[] = [];

  beforeAll(async () => {
    // Same command as postinstall; a no-op when dist/ already matches the sources.
    await promisify(execFile)(path.join(repoRoot, 'node_modules', '.bin', 'tsx'), ['scripts/buildConsole.ts'], { cwd: repoRoot });
    // The provider must know the console's redirect URI, and the gateway the provider: both ports are chosen first.
    const [gatewayPort, providerPort] = [await freePort(), await freePort()];
    issuer = `http://127.0.0.1:${providerPort}`;
    provider = startProcess(
      'oidc-provider',
      process.execPath,
      ['test/support/oidcProvider.mjs', String(providerPort), 'relief-console', `http://127.0.0.1:${gatewayPort}/console/`],
      {
        cwd: repoRoot,
        env: { PATH: process.env.PATH },
      },
    );
    await waitForOk(`${issuer}/.well-known/openid-configuration`, provider);
    catalog = await startCatalog({
      backend: 'pglite',
      gatewayEnv: { PORT: String(gatewayPort), OIDC_ISSUER: issuer, OIDC_CLIENT_ID: 'relief-console', AUTH_JWKS_URL: `${issuer}/jwks` },
    });
    origin = new URL(catalog.gatewayUrl).origin;
    browser = await launchChromium();
  }, 180_000);

  afterAll(async () => {
    for (const context of contexts) await context.close();
    await browser?.close();
    await catalog?.close();
    await provider?.stop();
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

    const decided = await catalog.query<{
      certification: { status: string; certificateNumber: string; history: { action: string; actor: string; note: string }[] };
    }>(HISTORY, { id: oldest!.id }, catalog.token('test', ['certifier']));
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

  test('a certifier signs in through the OpenID provider, approves, and the public catalog shows the product certified on the next request', async () => {
    const [target] = await pending();
    const { page, requested, problems } = await openConsole();
    await page.getByRole('button', { name: '通过统一身份认证登录' }).click();
    // The provider's own login and consent pages (oidc-provider's development interactions).
    await page.locator('input[name="login"]').fill('oidc-reviewer');
    await page.locator('input[name="password"]').fill('any');
    await page.getByRole('button', { name: 'Sign-in' }).click();
    await page.getByRole('button', { name: 'Continue' }).click();
    await expect(page.getByTestId('signed-in-as').textContent()).resolves.toContain('oidc-reviewer');
    expect(new URL(page.url()).search).toBe('');

    await page.getByRole('button', { name: `批准 ${target!.product.name}` }).click();
    await page.getByRole('dialog').getByRole('button', { name: '批准' }).click();
    await page.getByText(/已批准，证书编号 FP-/).waitFor();
    const publicView = await catalog.query<{ product: { reliefCertified: boolean } }>(`query($id: ID!) { product(id: $id) { reliefCertified } }`, {
      id: target!.product.id,
    });
    expect(publicView.data?.product.reliefCertified).toBe(true);
    const history = await catalog.query<{ certification: { history: { actor: string }[] } }>(HISTORY, { id: target!.id }, catalog.token('test', ['certifier']));
    expect(history.data?.certification.history.at(-1)?.actor).toBe('oidc-reviewer');

    // Only the sign-in leaves the gateway, to the provider (whose development login page asks for a web font).
    const elsewhere = foreignRequests(requested, origin).filter((url) => new URL(url).origin !== issuer && !url.startsWith('https://fonts.googleapis.com/'));
    expect(elsewhere).toEqual([]);
    expect(problems).toEqual([]);
  });

  test("a token naming the provider as issuer is checked against the provider's keys only", async () => {
    // Signed with the gateway's own (development) key, which it accepts from anyone else.
    const forged = jwt.sign({ roles: ['certifier'] }, DEV_AUTH_SECRET, {
      algorithm: 'HS256',
      issuer,
      audience: 'relief-console',
      subject: 'mallory',
      expiresIn: 600,
    });
    const refused = await catalog.query(QUEUE, {}, forged);
    expect(refused.status).toBe(401);
    expect(refused.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    const plain = jwt.sign({ roles: ['certifier'] }, DEV_AUTH_SECRET, { algorithm: 'HS256', subject: 'mallory', expiresIn: 600 });
    expect((await catalog.query(QUEUE, {}, plain)).status).toBe(200);
  });

  test('two reviewers approve the same application in two browsers: one wins, the other is told who decided, and the row refreshes', async () => {
    const [target] = await pending();
    const first = await openConsole();
    const second = await openConsole();
    await signIn(first.page, '杨丽（认定审核员）');
    await signIn(second.page, '周建国（认定审核员）');
    for (const { page } of [first, second]) {
      await page.getByRole('button', { name: `批准 ${target!.product.name}` }).click();
      await page.getByRole('dialog').getByRole('button', { name: '批准' }).waitFor();
    }

    await first.page.getByRole('dialog').getByRole('button', { name: '批准' }).click();
    await first.page.getByText(/已批准，证书编号 FP-/).waitFor();
    await second.page.getByRole('dialog').getByRole('button', { name: '批准' }).click();
    await expect(second.page.getByTestId('conflict').textContent()).resolves.toMatch(
      new RegExp(`${target!.product.name}: 该申请已由 reviewer:杨丽 于 \\d{4}-\\d{2}-\\d{2} \\d{2}:\\d{2} 批准。`),
    );
    await row(second.page, target!.product.name).waitFor({ state: 'detached' });
    const decided = await catalog.query<{ certification: { history: { action: string; actor: string }[] } }>(
      HISTORY,
      { id: target!.id },
      catalog.token('test', ['certifier']),
    );
    expect(decided.data?.certification.history.filter((event) => event.action === 'APPROVED').map((event) => event.actor)).toEqual(['reviewer:杨丽']);
    expect(foreignRequests([...first.requested, ...second.requested], origin)).toEqual([]);
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

  test('a rejection from the queue and a revocation from the product page show in its history timeline', async () => {
    const queue = (await pending()).filter((node) => node.product.id !== 'prd_003');
    const rejected = queue[0]!;
    const revoked = queue[1]!;
    const approval = await catalog.query(
      `mutation($id: ID!, $v: Int!, $until: DateTime!) { approveCertification(id: $id, expectedVersion: $v, validUntil: $until) { id } }`,
      { id: revoked.id, v: revoked.version, until: new Date(Date.now() + 200 * 86400_000).toISOString() },
      catalog.token('reviewer:杨丽', ['certifier']),
    );
    expect(approval.errors).toBeUndefined();

    const { page, requested } = await openConsole();
    await signIn(page, '周建国（认定审核员）');
    await page.getByRole('button', { name: `驳回 ${rejected.product.name}` }).click();
    await page.getByRole('dialog').getByRole('textbox', { name: '理由' }).fill('检测报告过期');
    await page.getByRole('dialog').getByRole('button', { name: '驳回' }).click();
    await row(page, rejected.product.name).waitFor({ state: 'detached' });
    await page.goto(`${origin}/console#/product/${rejected.product.id}`);
    await page
      .getByTestId('certification-history')
      .getByText(/驳回 · reviewer:周建国 · .* · 检测报告过期/)
      .waitFor();

    await page.goto(`${origin}/console#/product/${revoked.product.id}`);
    await page.getByRole('button', { name: '撤销认定' }).click();
    await page.getByRole('dialog').getByRole('textbox', { name: '理由' }).fill('抽检不合格');
    await page.getByRole('dialog').getByRole('button', { name: '撤销认定' }).click();
    await page
      .getByTestId('certification-history')
      .getByText(/撤销 · reviewer:周建国 · .* · 抽检不合格/)
      .waitFor();
    const history = await catalog.query<{ certification: { status: string } }>(HISTORY, { id: revoked.id }, catalog.token('test', ['certifier']));
    expect(history.data?.certification.status).toBe('REVOKED');
    expect(foreignRequests(requested, origin)).toEqual([]);
  });

  test('a listing moved off a product and found alike again is merged back from the suggestion queue', async () => {
    const staff = catalog.token('test', ['certifier']);
    const PRODUCT = `query($id: ID!) { product(id: $id) { id listings { id title platform { code } } } }`;
    type Found = { product: { id: string; listings: { id: string; title: string; platform: { code: string } }[] } };
    const before = (await catalog.query<Found>(PRODUCT, { id: 'prd_003' }, staff)).data!.product;
    const moving = before.listings.find((listing) => listing.platform.code === 'taobao')!;

    const { page } = await openConsole();
    await signIn(page, '周建国（认定审核员）');
    await page.goto(`${origin}/console#/product/prd_003`);
    await page.getByRole('button', { name: `移动商品 ${moving.title}` }).click();
    await page.getByRole('dialog').getByRole('textbox', { name: '理由' }).fill('淘宝店卖的是另一果园的白蜡皮');
    await page.getByRole('dialog').getByRole('button', { name: '提交' }).click();
    await page.getByText('已移动').waitFor();
    expect((await catalog.query<Found>(PRODUCT, { id: 'prd_003' }, staff)).data!.product.listings.map((listing) => listing.id)).not.toContain(moving.id);

    // A platform sends a listing alike to both: the engine asks staff instead of joining them.
    const pushed = await catalog.query(
      `mutation($listings: [ListingInput!]!) { upsertListings(platform: "jd", listings: $listings) { created } }`,
      {
        listings: [
          {
            platformSku: 'jd-baila-console',
            title: '宁陵白蜡皮酥梨 4.5kg',
            price: '41.00',
            unit: '4.5kg箱',
            supplierName: '宁陵县金顶谢花酥梨种植专业合作社',
            supplierRegionCode: '411423',
          },
        ],
      },
      catalog.token('jd-feed', ['partner'], { platform: 'jd' }),
    );
    expect(pushed.errors).toBeUndefined();
    const suggestions = await catalog.query<{
      matchSuggestions: { edges: { node: { left: { title: string; product: { id: string } }; right: { title: string; product: { id: string } } } }[] };
    }>(`{ matchSuggestions(first: 50) { edges { node { left { title product { id } } right { title product { id } } } } } }`, {}, staff);
    const pair = suggestions
      .data!.matchSuggestions.edges.map((edge) => edge.node)
      .find((node) => [node.left.product.id, node.right.product.id].includes('prd_003'));
    expect(pair).toBeDefined();
    const other = pair!.left.product.id === 'prd_003' ? pair!.right.product.id : pair!.left.product.id;

    await page.goto(`${origin}/console#/matches`);
    const card = page.getByTestId('match-suggestion').filter({ hasText: pair!.left.title }).filter({ hasText: pair!.right.title }).first();
    await card.getByRole('textbox', { name: '理由' }).fill('同一果园同一产品');
    // prd_003 holds an open application, so it is the one kept.
    await card.getByRole('button', { name: pair!.left.product.id === 'prd_003' ? '合并（保留左侧）' : '合并（保留右侧）' }).click();
    await page.getByText('已合并').first().waitFor();
    const after = (await catalog.query<Found>(PRODUCT, { id: 'prd_003' }, staff)).data!.product;
    expect(after.listings.map((listing) => listing.id)).toEqual(expect.arrayContaining([moving.id]));
    expect((await catalog.query<Found>(PRODUCT, { id: other }, staff)).data!.product.id).toBe('prd_003');
  });

  test('the certified list downloads as CSV and as Excel with the rows of the certified catalog', async () => {
    const listed = await catalog.query<{ products: { edges: { node: { certification: { certificateNumber: string } } }[] } }>(
      `{ products(filter: { certifiedOnly: true }, first: 100) { edges { node { certification { certificateNumber } } } } }`,
    );
    const expected = listed.data!.products.edges.map((edge) => edge.node.certification.certificateNumber).sort();
    expect(expected.length).toBeGreaterThan(0);

    const { page } = await openConsole();
    await signIn(page, '周建国（认定审核员）');
    await page.goto(`${origin}/console#/figures`);
    await page.getByTestId('area-chart').locator('canvas').waitFor();
    const [csv] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: '导出 CSV' }).click()]);
    const text = await readFile((await csv.path())!, 'utf8');
    const lines = text
      .replace(/^\uFEFF/, '')
      .trim()
      .split('\r\n');
    expect(lines[0]).toBe('证书编号,产品名称,供应商,县（区）,县（区）代码,生效日期,有效期至');
    expect(
      lines
        .slice(1)
        .map((line) => line.split(',')[0])
        .sort(),
    ).toEqual(expected);

    const [excel] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: '导出 Excel' }).click()]);
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.readFile((await excel.path())!);
    const numbers: string[] = [];
    workbook.worksheets[0]!.eachRow((sheetRow, index) => {
      if (index > 1) numbers.push(sheetRow.getCell(1).text);
    });
    expect(numbers.sort()).toEqual(expected);
  });

  test("bulk certify from a catalog search reports each product's outcome", async () => {
    const { page } = await openConsole();
    await signIn(page, '周建国（认定审核员）');
    await page.goto(`${origin}/console#/bulk`);
    await page.getByLabel('搜索产品名称或描述').fill('梨');
    await page.getByLabel('搜索产品名称或描述').press('Enter');
    await page.locator('tr.ant-table-row').first().waitFor();
    // Everything found, eligible or not, certified or not.
    await page.locator('thead .ant-checkbox-input').first().check();
    const selected = await page.locator('tbody .ant-checkbox-input:checked').count();
    await page.getByRole('button', { name: '认定所选产品' }).click();
    const outcomes = page.getByTestId('bulk-outcomes').locator('tr.ant-table-row');
    await outcomes.first().waitFor();
    expect(await outcomes.count()).toBe(selected);
    const texts = await outcomes.allTextContents();
    expect(texts.some((text) => text.includes('已认定') && /FP-\d{4}-\d{6}-\d+/.test(text))).toBe(true);
    expect(texts.every((text) => /已认定|不符合条件|未找到|已有进行中的认定/.test(text))).toBe(true);
  });

  test('every main screen opens in Chinese and in English (screenshots under test-results/console)', async () => {
    const outDir = path.join(repoRoot, 'test-results', 'console');
    await mkdir(outDir, { recursive: true });
    const { page, requested, problems } = await openConsole();
    await page.screenshot({ path: path.join(outDir, 'sign-in-zh.png') });
    await signIn(page, '杨丽（认定审核员）');
    const screens: { hash: string; ready: (language: 'zh' | 'en') => string }[] = [
      { hash: '#/queue', ready: (language) => (language === 'zh' ? '待审核申请' : 'Pending applications') },
      { hash: '#/product/prd_001', ready: (language) => (language === 'zh' ? '各平台商品' : 'Listings') },
      { hash: '#/matches', ready: (language) => (language === 'zh' ? '同款合并建议' : 'Match suggestions') },
      { hash: '#/bulk', ready: (language) => (language === 'zh' ? '认定所选产品' : 'Certify selected') },
      { hash: '#/figures', ready: (language) => (language === 'zh' ? '即将到期的证书 · 30 天内' : 'Certificates expiring · within 30 days') },
    ];
    for (const language of ['zh', 'en'] as const) {
      if (language === 'en') await page.getByRole('button', { name: 'English' }).click();
      for (const screen of screens) {
        await page.goto(`${origin}/console${screen.hash}`);
        await page.getByText(screen.ready(language)).first().waitFor();
        await page.screenshot({ path: path.join(outDir, `${screen.hash.split('/')[1]}-${language}.png`), fullPage: true });
      }
    }
    await expect(page.locator('html').getAttribute('lang')).resolves.toBe('en');
    expect(foreignRequests(requested, origin)).toEqual([]);
    expect(problems).toEqual([]);
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
