// Replicas under load, killed: a steady partner load (the contract's
// CatalogPage and ProductDetail) and staff approvals alongside, through the
// gateways' HAProxy frontend, while one gateway and one replica of each
// subgraph are SIGKILLed and started again, then every process is stopped
// with SIGTERM and started again, one replica of each service at a time (a
// rolling update). Counts what the callers saw and checks the certification
// database for what was applied. test/replicas.e2e.ts asserts on the report;
// bench/replicas.ts runs it longer and prints it.
import pg from 'pg';
import { contractOperation } from './contract';
import { bearer, post } from './graphqlHttp';
import type { Replica, ReplicaDeployment, ServiceName } from './replicaDeployment';

export interface ReplicaTiming {
  replica: string;
  /** SIGTERM until the process exited (rolling update only), and its exit code. */
  drainMs?: number;
  exitCode?: number | null;
  /** Start until the process answered its own readiness endpoint. */
  readyMs: number;
  /** Start until HAProxy had it UP again. */
  inBalancerMs: number;
}

export interface ScenarioReport {
  durationMs: number;
  partner: { ok: number; failed: number; byOperation: Record<string, number>; failures: string[] };
  approvals: {
    attempted: number;
    /** A 200 with the approved certification. */
    applied: number;
    /** Refused with a GraphQL error code, by code; the client re-read the certification and acted on it. */
    refused: Record<string, number>;
    /** Refused with no code the client could act on (a bare 5xx, a cut connection). */
    unactionable: string[];
    /** Certifications the database shows approved more than once. */
    appliedTwice: string[];
    /** Certifications answered with a 200 that the database does not show approved. */
    lostAfter200: string[];
    /** What the client concluded (applied or not) that the database contradicts. */
    misjudged: string[];
  };
  kills: ReplicaTiming[];
  rolling: ReplicaTiming[];
}

export interface ScenarioOptions {
  /** Concurrent partner callers. */
  partnerConnections?: number;
  /** Partner requests per second, all callers together: a steady load that leaves the machine room to restart processes. */
  partnerRate?: number;
  /** Concurrent staff callers, each with products of its own. */
  staffConnections?: number;
  /** Load alone before the kills, between the phases and after them. */
  steadyMs?: number;
  /** Kill-and-restart plus rolling-update cycles. */
  cycles?: number;
  log?: (line: string) => void;
}

type Outcome = { status: number; data?: Record<string, unknown>; errors?: { message: string; extensions?: Record<string, unknown> }[] };

async function call(url: string, query: string, variables: Record<string, unknown>, token: string | null): Promise<Outcome> {
  try {
    return await post(url, { query, variables }, bearer(token ?? undefined));
  } catch (err) {
    return { status: 0, errors: [{ message: `connection: ${(err as Error).message}` }] };
  }
}

const codeOf = (outcome: Outcome) => outcome.errors?.[0]?.extensions?.code as string | undefined;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function runReplicaScenario(deployment: ReplicaDeployment, options: ScenarioOptions = {}): Promise<ScenarioReport> {
  const log = options.log ?? (() => undefined);
  const url = deployment.gatewayUrl;
  const partner = deployment.token('partner-jd', ['partner'], 'jd');
  const certifier = deployment.token('certifier-load', ['certifier']);
  const catalogPage = contractOperation('CatalogPage');
  const productDetail = contractOperation('ProductDetail');
  const history = contractOperation('CertificationHistory');

  // The catalog as partners see it, and the products staff may certify.
  const all = await call(url, catalogPage, { first: 100 }, partner);
  const ids = ((all.data?.products as { edges: { node: { id: string } }[] } | undefined)?.edges ?? []).map((edge) => edge.node.id);
  if (ids.length === 0) throw new Error(`no products through ${url}: ${JSON.stringify(all.errors)}`);
  const details = await Promise.all(ids.map((id) => call(url, productDetail, { id }, certifier)));
  const certifiable = ids.filter((_, index) => {
    const product = details[index].data?.product as { reliefEligibility: { eligible: boolean } | null; certification: { status: string } | null } | undefined;
    return product?.reliefEligibility?.eligible === true && !['PENDING', 'APPROVED'].includes(product.certification?.status ?? '');
  });
  const pages: Record<string, unknown>[] = [
    { first: 20 },
    { first: 10, filter: { regionCode: '41' } },
    { first: 10, filter: { certifiedOnly: true } },
    { first: 20, orderBy: 'SALES_DESC' },
    { first: 5, filter: { category: 'GRAIN' } },
  ];

  const report: ScenarioReport = {
    durationMs: 0,
    partner: { ok: 0, failed: 0, byOperation: {}, failures: [] },
    approvals: { attempted: 0, applied: 0, refused: {}, unactionable: [], appliedTwice: [], lostAfter200: [], misjudged: [] },
    kills: [],
    rolling: [],
  };
  let running = true;
  const started = Date.now();
  const partnerConnections = options.partnerConnections ?? 6;

  // Half the callers sign in as a partner platform, half read anonymously (a
  // storefront's public pages), whose answers the gateways share through Redis.
  const partnerLoop = async (seed: number) => {
    const token = seed % 2 === 0 ? partner : null;
    const intervalMs = (1000 * partnerConnections) / (options.partnerRate ?? 40);
    for (let turn = seed; running; turn++) {
      const sent = Date.now();
      const detail = turn % 2 === 1;
      const name = detail ? 'ProductDetail' : 'CatalogPage';
      const outcome = detail
        ? await call(url, productDetail, { id: ids[(turn * 7) % ids.length] }, token)
        : await call(url, catalogPage, pages[turn % pages.length], token);
      const answered = detail ? outcome.data?.product : outcome.data?.products;
      if (outcome.status === 200 && !outcome.errors && answered) {
        report.partner.ok++;
        report.partner.byOperation[name] = (report.partner.byOperation[name] ?? 0) + 1;
      } else {
        report.partner.failed++;
        if (report.partner.failures.length < 20)
          report.partner.failures.push(`${name} ${outcome.status} ${JSON.stringify(outcome.errors ?? outcome.data).slice(0, 300)}`);
      }
      await sleep(intervalMs - (Date.now() - sent));
    }
  };

  // Each certification the staff tried to approve: whether a 200 said so, and what the client concluded.
  const approvals = new Map<string, { answered200: boolean; concluded: boolean }>();
  const readCertification = async (id: string): Promise<{ status: string; version: number } | null> => {
    for (let attempt = 0; attempt < 20; attempt++) {
      const outcome = await call(url, history, { id }, certifier);
      const certification = outcome.data?.certification as { status: string; version: number } | null | undefined;
      if (certification) return certification;
      await sleep(250);
    }
    return null;
  };
  const staffLoop = async (products: string[], worker: number) => {
    for (let turn = 0; running && products.length; turn++) {
      const productId = products[turn % products.length];
      const applied = await call(url, contractOperation('ApplyForCertification'), { productId, evidence: `load ${worker}-${turn}` }, certifier);
      const application = applied.data?.applyForCertification as { id: string; version: number } | undefined;
      if (!application) {
        await sleep(100);
        continue;
      }
      report.approvals.attempted++;
      const approve = () =>
        call(
          url,
          contractOperation('ApproveCertification'),
          { id: application.id, expectedVersion: application.version, validUntil: new Date(Date.now() + 365 * 86_400_000).toISOString(), note: 'load' },
          certifier,
        );
      let outcome = await approve();
      let concluded = false;
      const record = approvals.get(application.id) ?? { answered200: false, concluded: false };
      for (let attempt = 0; attempt < 3; attempt++) {
        const approved = outcome.data?.approveCertification as { status: string } | undefined;
        if (outcome.status === 200 && !outcome.errors && approved?.status === 'APPROVED') {
          report.approvals.applied++;
          record.answered200 = true;
          concluded = true;
          break;
        }
        const code = codeOf(outcome);
        if (!code) {
          report.approvals.unactionable.push(`${application.id}: ${outcome.status} ${JSON.stringify(outcome.errors).slice(0, 300)}`);
          break;
        }
        report.approvals.refused[code] = (report.approvals.refused[code] ?? 0) + 1;
        // Acting on the error: read the certification; approved means the first try went through.
        const current = await readCertification(application.id);
        if (current?.status === 'APPROVED') {
          concluded = true;
          break;
        }
        if (current?.status !== 'PENDING' || current.version !== application.version) break;
        outcome = await approve();
      }
      record.concluded = concluded;
      approvals.set(application.id, record);
      // Free the product for the next round.
      const current = await readCertification(application.id);
      if (current?.status === 'APPROVED') {
        await call(
          url,
          contractOperation('RevokeCertification'),
          { id: application.id, expectedVersion: current.version, reason: 'load test round' },
          certifier,
        );
      } else if (current?.status === 'PENDING') {
        await call(
          url,
          contractOperation('RejectCertification'),
          { id: application.id, expectedVersion: current.version, reason: 'load test round' },
          certifier,
        );
      }
    }
  };

  const staffConnections = Math.min(options.staffConnections ?? 2, certifiable.length);
  const loops = [
    ...Array.from({ length: partnerConnections }, (_, index) => partnerLoop(index)),
    ...Array.from({ length: staffConnections }, (_, index) =>
      staffLoop(
        certifiable.filter((_, at) => at % staffConnections === index),
        index,
      ),
    ),
  ];

  const restart = async (replica: Replica): Promise<ReplicaTiming> => {
    const begin = Date.now();
    const readyMs = await deployment.start(replica);
    await deployment.haproxy.waitUntilUp(replica.service, replica.name);
    return { replica: replica.name, readyMs, inBalancerMs: Date.now() - begin };
  };
  const services: ServiceName[] = ['gateway', 'products', 'suppliers', 'certification'];
  const steadyMs = options.steadyMs ?? 4000;
  try {
    for (let cycle = 0; cycle < (options.cycles ?? 1); cycle++) {
      await sleep(steadyMs);
      // One gateway and one replica of each subgraph, killed at once.
      const victims = services.map((service) => deployment.replicas.filter((replica) => replica.service === service)[cycle % 2]);
      log(`cycle ${cycle}: SIGKILL ${victims.map((victim) => victim.name).join(', ')}`);
      await Promise.all(victims.map((victim) => victim.process.kill()));
      report.kills.push(...(await Promise.all(victims.map(restart))));
      await sleep(steadyMs);
      // Rolling update: replica i of every service at once, then i + 1.
      const width = Math.max(...services.map((service) => deployment.replicas.filter((replica) => replica.service === service).length));
      for (let index = 0; index < width; index++) {
        const round = services.map((service) => deployment.replicas.filter((replica) => replica.service === service)[index]).filter(Boolean);
        log(`cycle ${cycle}: SIGTERM ${round.map((replica) => replica.name).join(', ')}`);
        report.rolling.push(
          ...(await Promise.all(
            round.map(async (replica) => {
              const begin = Date.now();
              await replica.process.stop();
              const drainMs = Date.now() - begin;
              const { code } = await replica.process.exited;
              return { ...(await restart(replica)), drainMs, exitCode: code };
            }),
          )),
        );
      }
    }
    await sleep(steadyMs);
  } finally {
    running = false;
    await Promise.all(loops);
  }
  report.durationMs = Date.now() - started;

  // What the certification database says was approved, against what the callers were told.
  const db = new pg.Client({ connectionString: deployment.databaseUrls.certification });
  await db.connect();
  try {
    const { rows } = await db.query<{ id: string; approved: number }>(
      "SELECT c.id, count(e.id)::int AS approved FROM certification c LEFT JOIN certification_event e ON e.certification_id = c.id AND e.action = 'APPROVED' WHERE c.id = ANY($1) GROUP BY c.id",
      [[...approvals.keys()]],
    );
    const approvedInDatabase = new Map(rows.map((row) => [row.id, row.approved]));
    for (const [id, record] of approvals) {
      const count = approvedInDatabase.get(id) ?? 0;
      if (count > 1) report.approvals.appliedTwice.push(id);
      if (record.answered200 && count !== 1) report.approvals.lostAfter200.push(id);
      if (record.concluded !== (count === 1))
        report.approvals.misjudged.push(`${id}: client ${record.concluded ? 'applied' : 'not applied'}, database ${count}`);
    }
  } finally {
    await db.end();
  }
  return report;
}
