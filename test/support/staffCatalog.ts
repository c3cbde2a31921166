// The staff suites' shared setup (staffAccess, certificationLifecycle,
// certificateNumbers and certifyProducts, all *.e2e.ts): the real catalog
// through the gateway on one backend, certifier and partner tokens, demo
// products picked by their certification state (computed from the demo
// catalog itself, so the picks stay right if the demo is edited), the staff
// operations of ../shared/contract/staff-operations.graphql, and raw SQL on
// the certification store to check what was (and was not) written.
import { demoCatalog } from '../../demo/demoCatalog';
import { demoCertificationRows } from '../../subgraphs/certification/seed';
import { useCatalog, type Backend } from './catalogHarness';
import { contractOperation } from './contract';
import { testToken, type GraphQLResponse } from './graphqlHttp';

/** The backends the staff suites run on: TEST_BACKENDS, default both. */
export const STAFF_BACKENDS = (process.env.TEST_BACKENDS ?? 'pglite,postgres').split(',') as Backend[];

/** A staff operation of the contract (staff-operations.graphql). */
export const staffOp = contractOperation;
/** A partner operation of the contract (partner-operations.graphql). */
export const partnerOp = contractOperation;

export const HOUR = 3_600_000;
export const DAY = 24 * HOUR;
export const inDays = (days: number) => new Date(Date.now() + days * DAY).toISOString();
/** Certificates carry the calendar year in China (UTC+8). */
export const chinaYear = () => new Date(Date.now() + 8 * HOUR).getUTCFullYear();

/** No data at all, or only nulls at the top level (a refused nullable field such as `certification`). */
export const nothingAnswered = (response: GraphQLResponse<unknown>) =>
  response.data === undefined || response.data === null || Object.values(response.data as object).every((value) => value === null);

// ---------------------------------------------------------------------------
// Demo data: which products are in which state, computed from the demo catalog
// itself so the picks stay right if the demo is edited.
// ---------------------------------------------------------------------------
export interface DemoCertification {
  id: string;
  status: string;
  version: number;
  lapsed: boolean;
  certificateNumber: string | null;
}
export interface DemoProduct {
  id: string;
  origin: string;
  eligible: boolean;
  /** Codes of the platforms that list it. */
  platforms: string[];
  /** Newest first. */
  certifications: DemoCertification[];
}

export function demoProducts(now: Date): DemoProduct[] {
  const demo = demoCatalog(now);
  const regions = new Map(demo.regions.map((region) => [region.code, region]));
  const suppliers = new Map(demo.suppliers.map((supplier) => [supplier.id, supplier]));
  // As seeded: with the certificate numbers the certification seed hands out.
  const seeded = demoCertificationRows(demo).certifications;
  return demo.products.map((product) => {
    const supplier = suppliers.get(product.supplierId)!;
    const region = regions.get(supplier.regionCode)!;
    const certifications = seeded
      .filter((certification) => certification.productId === product.id)
      .sort((a, b) => new Date(b.createdAt!).getTime() - new Date(a.createdAt!).getTime())
      .map((certification) => ({
        id: certification.id,
        status: certification.status,
        version: certification.version ?? 1,
        certificateNumber: certification.certificateNumber ?? null,
        lapsed: certification.status === 'APPROVED' && new Date(certification.validUntil!).getTime() <= now.getTime(),
      }));
    return {
      id: product.id!,
      origin: product.originRegionCode,
      eligible: region.designatedPovertyCounty === true || (supplier.beneficiaryHouseholds ?? 0) > 0,
      platforms: [...new Set(demo.listings.filter((listing) => listing.productId === product.id).map((listing) => listing.platformCode))],
      certifications,
    };
  });
}

export const latest = (product: DemoProduct) => product.certifications[0];
export const hasNoCertification = (product: DemoProduct) => product.certifications.length === 0;
export const latestIs =
  (status: string, lapsed = false) =>
  (product: DemoProduct) =>
    latest(product)?.status === status && latest(product).lapsed === lapsed;

export interface CertificationRow {
  id: string;
  product_id: string;
  status: string;
  certificate_number: string | null;
  evidence: string;
  version: number;
  updated_at: Date;
}
export interface EventRow {
  id: string;
  certification_id: string;
  action: string;
  at: Date;
  actor: string;
  note: string | null;
}

export interface Snapshot {
  certifications: unknown[];
  events: unknown[];
  sequences: unknown[];
}

export type Cert = { id: string; status: string; version: number; certificateNumber?: string | null };

/**
 * Starts the catalog on `backend` before the suite's tests (beforeAll) and
 * stops it after them; call it at the top of a describe block. The catalog
 * is used inside hooks and tests; the tokens (two certifiers and jd's
 * partner) and the helpers anywhere.
 */
export function useStaffCatalog(backend: Backend) {
  const catalog = useCatalog({ backend });
  const certifier = testToken('certifier-alice', ['certifier']);
  const otherCertifier = testToken('certifier-bob', ['certifier']);
  const partner = testToken('partner-jd', ['partner'], { platform: 'jd' });
  const products = demoProducts(new Date());
  const used = new Set<string>();
  /** The first demo product no test has claimed yet, without claiming it: for requests that must be refused and change nothing. */
  function peek(what: string, predicate: (product: DemoProduct) => boolean): DemoProduct {
    const found = products.find((product) => !used.has(product.id) && predicate(product));
    if (!found) throw new Error(`the demo catalog has no (more) products that are ${what}`);
    return found;
  }
  /** Claims a demo product for one test, so tests that write never see each other's writes. */
  function pick(what: string, predicate: (product: DemoProduct) => boolean): DemoProduct {
    const found = peek(what, predicate);
    used.add(found.id);
    return found;
  }
  const neverCertified = (p: DemoProduct) => p.eligible && hasNoCertification(p);
  const fresh = () => pick('eligible and never certified', neverCertified);
  // The partner's token is for jd: it may apply only for products jd lists.
  const onJd = (predicate: (product: DemoProduct) => boolean) => (p: DemoProduct) => predicate(p) && p.platforms.includes('jd');
  const freshOnJd = () => pick('eligible, never certified and listed on jd', onJd(neverCertified));

  const sql = <Row>(text: string, params: unknown[] = []) => catalog.stores.certification.sql.query<Row>(text, params);

  /** Every row of the certification tables (event ids as text: PGlite returns BIGINT as bigint). */
  async function snapshot(): Promise<Snapshot> {
    return {
      certifications: await sql(`SELECT * FROM certification ORDER BY id`),
      events: await sql(`SELECT id::text AS id, certification_id, action, at, actor, note FROM certification_event ORDER BY id`),
      sequences: await sql(`SELECT * FROM certificate_sequence ORDER BY year, region_code`),
    };
  }
  async function counts() {
    const [row] = await sql<{ certifications: number; events: number }>(
      `SELECT (SELECT count(*) FROM certification)::int AS certifications, (SELECT count(*) FROM certification_event)::int AS events`,
    );
    return row;
  }
  const certificationRow = async (id: string) => (await sql<CertificationRow>(`SELECT * FROM certification WHERE id = $1`, [id]))[0];
  const eventsOf = (id: string) =>
    sql<EventRow>(`SELECT id::text AS id, certification_id, action, at, actor, note FROM certification_event WHERE certification_id = $1 ORDER BY id`, [id]);
  const rowsOfProduct = (productId: string) => sql<CertificationRow>(`SELECT * FROM certification WHERE product_id = $1 ORDER BY created_at, id`, [productId]);

  async function apply(productId: string, evidence = 'County recommendation letter; beneficiary household list.', token = certifier) {
    const response = await catalog.query<{ applyForCertification: Cert & { product: { id: string } } }>(
      staffOp('ApplyForCertification'),
      { productId, evidence },
      token,
    );
    expect(response.errors).toBeUndefined();
    return response.data!.applyForCertification;
  }
  const approve = (id: string, expectedVersion: number, validUntil = inDays(365), note: string | null = null, token = certifier) =>
    catalog.query<{ approveCertification: Cert & { issuedBy: string; validFrom: string; validUntil: string } }>(
      staffOp('ApproveCertification'),
      { id, expectedVersion, validUntil, note },
      token,
    );
  const reject = (id: string, expectedVersion: number, reason: string, token = certifier) =>
    catalog.query<{ rejectCertification: Cert }>(staffOp('RejectCertification'), { id, expectedVersion, reason }, token);
  const revoke = (id: string, expectedVersion: number, reason: string, token = certifier) =>
    catalog.query<{ revokeCertification: Cert }>(staffOp('RevokeCertification'), { id, expectedVersion, reason }, token);
  const certifyProducts = (productIds: string[], validUntil = inDays(365), note: string | null = null, token = certifier) =>
    catalog.query<{
      certifyProducts: {
        certified: { id: string; status: string; certificateNumber: string; product: { id: string; reliefCertified: boolean } }[];
        failed: { productId: string; code: string; message: string }[];
      };
    }>(staffOp('CertifyProducts'), { productIds, validUntil, note }, token);
  const history = (id: string, token = certifier) =>
    catalog.query<{
      certification: { id: string; status: string; version: number; history: { action: string; at: string; actor: string; note: string | null }[] } | null;
    }>(staffOp('CertificationHistory'), { id }, token);
  async function approved(id: string, expectedVersion: number, validUntil?: string) {
    const response = await approve(id, expectedVersion, validUntil);
    expect(response.errors).toBeUndefined();
    return response.data!.approveCertification;
  }

  /** Ids of the partner catalog's certifiedOnly page (all of them: fewer than 100). */
  async function certifiedOnly(): Promise<string[]> {
    const response = await catalog.query<{ products: { totalCount: number; edges: { node: { id: string; reliefCertified: boolean } }[] } }>(
      partnerOp('CatalogPage'),
      { filter: { certifiedOnly: true }, first: 100 },
    );
    expect(response.errors).toBeUndefined();
    expect(response.data!.products.totalCount).toBe(response.data!.products.edges.length);
    return response.data!.products.edges.map((edge) => edge.node.id);
  }
  const detail = async (id: string) =>
    (
      await catalog.query<{ product: { reliefCertified: boolean; certification: { status: string; certificateNumber: string | null } | null } }>(
        partnerOp('ProductDetail'),
        { id },
      )
    ).data!.product;

  return {
    catalog,
    certifier,
    otherCertifier,
    partner,
    products,
    used,
    peek,
    pick,
    neverCertified,
    fresh,
    onJd,
    freshOnJd,
    sql,
    snapshot,
    counts,
    certificationRow,
    eventsOf,
    rowsOfProduct,
    apply,
    approve,
    reject,
    revoke,
    certifyProducts,
    history,
    approved,
    certifiedOnly,
    detail,
  };
}
