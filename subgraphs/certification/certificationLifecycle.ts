import { randomUUID } from 'node:crypto';
import { isUniqueViolation } from '../../common/database';
import { badUserInput, conflict, ErrorCode, forbidden, ineligible, notFound } from '../../common/errors';
import { isCertifier, type Identity } from '../../common/identity';
import { optionalText, requiredText } from '../../common/textInput';
import { effectiveStatus } from './certificationStatus';
import { decideEligibility } from './eligibility';
import type { Certification, CertificationStatus, Prisma } from './generated/prisma/client';
import type { ProductFacts, ProductFactsReader } from './productFacts';
import type { CertifyProductsResult } from './schema.mappers';
import type { CertificationDb } from './store';

export const MAX_BULK_PRODUCTS = 500;
const MAX_EVIDENCE = 4000;
const MAX_NOTE = 1000;
const MAX_VALIDITY_YEARS = 3;

type Tx = Prisma.TransactionClient;

export interface LifecycleDeps {
  db: CertificationDb;
  productFacts: ProductFactsReader;
  issuer: string;
  actor: Identity;
  now: Date;
}

function validUntilInput(validUntil: Date, now: Date): Date {
  if (validUntil.getTime() <= now.getTime()) throw badUserInput('validUntil', 'must be in the future');
  const limit = new Date(now);
  limit.setUTCFullYear(limit.getUTCFullYear() + MAX_VALIDITY_YEARS);
  if (validUntil.getTime() > limit.getTime()) {
    throw badUserInput('validUntil', `must be at most ${MAX_VALIDITY_YEARS} years ahead`);
  }
  return validUntil;
}

// Certificates are numbered by the calendar year in China (UTC+8), where they are issued.
const CHINA_OFFSET_MS = 8 * 60 * 60 * 1000;

/** The year a certificate issued at `issuedAt` is numbered in. */
export function certificateYear(issuedAt: Date): number {
  return new Date(issuedAt.getTime() + CHINA_OFFSET_MS).getUTCFullYear();
}

/** Readable and never reused: FP-<year>-<county>-<sequence>, the sequence counted per year and county. */
export function certificateNumber(year: number, regionCode: string, sequence: number): string {
  return `FP-${year}-${regionCode}-${String(sequence).padStart(6, '0')}`;
}

async function nextCertificateNumber(tx: Tx, year: number, regionCode: string): Promise<string> {
  const [{ last_value: value }] = await tx.$queryRaw<{ last_value: number }[]>`
    INSERT INTO certificate_sequence (year, region_code, last_value) VALUES (${year}, ${regionCode}, 1)
    ON CONFLICT (year, region_code) DO UPDATE SET last_value = certificate_sequence.last_value + 1
    RETURNING last_value`;
  return certificateNumber(year, regionCode, value);
}

/**
 * An approved certificate whose validUntil passed reads as EXPIRED already; it
 * is stored as EXPIRED (with its history event) before the product applies
 * again, so the one-open-certification index only ever sees open ones.
 */
async function storeLapsedCertificates(tx: Tx, productId: string, now: Date): Promise<void> {
  const lapsed = await tx.certification.findMany({
    where: { productId, status: 'APPROVED', validUntil: { lte: now } },
  });
  for (const certification of lapsed) {
    await tx.certification.update({
      where: { id: certification.id },
      data: { status: 'EXPIRED', version: { increment: 1 }, updatedAt: now },
    });
    await tx.certificationEvent.create({
      data: { certificationId: certification.id, action: 'EXPIRED', at: now, actor: 'system', note: 'validUntil passed' },
    });
  }
}

/** Locks the certification row and checks the caller saw its latest version and an allowed state. */
async function lockForTransition(tx: Tx, id: string, expectedVersion: number, from: CertificationStatus, now: Date): Promise<Certification> {
  await tx.$queryRaw`SELECT id FROM certification WHERE id = ${id} FOR UPDATE`;
  const certification = await tx.certification.findUnique({ where: { id } });
  if (!certification) throw notFound(`No certification ${id}.`);
  if (certification.version !== expectedVersion) {
    throw conflict(`Certification ${id} is at version ${certification.version}, not ${expectedVersion}: reload it and try again.`);
  }
  const status = effectiveStatus(certification, now);
  if (status !== from) throw conflict(`Certification ${id} is ${status}; only a ${from} certification can do that.`);
  return certification;
}

async function factsOrThrow(deps: LifecycleDeps, productId: string): Promise<ProductFacts> {
  const facts = (await deps.productFacts([productId])).get(productId);
  if (!facts) throw notFound(`No product ${productId}.`);
  return facts;
}

function approvalFields(facts: ProductFacts, deps: LifecycleDeps, validUntil: Date) {
  return { issuedBy: deps.issuer, validFrom: deps.now, validUntil, year: certificateYear(deps.now), region: facts.originCode };
}

export async function applyForCertification(deps: LifecycleDeps, productId: string, evidenceInput: string): Promise<Certification> {
  const evidence = requiredText('evidence', evidenceInput, MAX_EVIDENCE);
  const facts = await factsOrThrow(deps, productId);
  // An open application blocks every other one for the product: a partner
  // may hold that place only for a product its own platform sells.
  if (!isCertifier(deps.actor) && (deps.actor.platform === null || !facts.platforms.includes(deps.actor.platform))) {
    throw forbidden(
      `applyForCertification: a partner may apply only for products listed on its own platform, and product ${productId} is not listed on ${deps.actor.platform ?? 'any platform of this token'}.`,
    );
  }
  try {
    return await deps.db.$transaction(async (tx) => {
      await storeLapsedCertificates(tx, productId, deps.now);
      const certification = await tx.certification.create({
        data: { id: `cert_${randomUUID()}`, productId, status: 'PENDING', evidence, version: 1, createdAt: deps.now, updatedAt: deps.now },
      });
      await tx.certificationEvent.create({
        data: { certificationId: certification.id, action: 'APPLIED', at: deps.now, actor: deps.actor.sub, note: null },
      });
      return certification;
    });
  } catch (err) {
    if (isUniqueViolation(err)) throw conflict(`Product ${productId} already has an open (PENDING or APPROVED) certification.`);
    throw err;
  }
}

export async function approveCertification(
  deps: LifecycleDeps,
  args: { id: string; expectedVersion: number; validUntil: Date; note?: string | null },
): Promise<Certification> {
  const validUntil = validUntilInput(args.validUntil, deps.now);
  const note = optionalText('note', args.note, MAX_NOTE);
  const current = await deps.db.certification.findUnique({ where: { id: args.id } });
  if (!current) throw notFound(`No certification ${args.id}.`);
  const facts = await factsOrThrow(deps, current.productId);
  const eligibility = decideEligibility(facts);
  if (!eligibility.eligible) throw ineligible(`Product ${current.productId} is not eligible for certification.`, eligibility.reasons);
  const approval = approvalFields(facts, deps, validUntil);
  return deps.db.$transaction(async (tx) => {
    await lockForTransition(tx, args.id, args.expectedVersion, 'PENDING', deps.now);
    const certificateNumber = await nextCertificateNumber(tx, approval.year, approval.region);
    const certification = await tx.certification.update({
      where: { id: args.id },
      data: {
        status: 'APPROVED',
        certificateNumber,
        issuedBy: approval.issuedBy,
        validFrom: approval.validFrom,
        validUntil: approval.validUntil,
        version: { increment: 1 },
        updatedAt: deps.now,
      },
    });
    await tx.certificationEvent.create({
      data: { certificationId: args.id, action: 'APPROVED', at: deps.now, actor: deps.actor.sub, note },
    });
    return certification;
  });
}

async function closeCertification(
  deps: LifecycleDeps,
  args: { id: string; expectedVersion: number; reason: string },
  from: CertificationStatus,
  to: 'REJECTED' | 'REVOKED',
): Promise<Certification> {
  const reason = requiredText('reason', args.reason, MAX_NOTE);
  return deps.db.$transaction(async (tx) => {
    await lockForTransition(tx, args.id, args.expectedVersion, from, deps.now);
    const certification = await tx.certification.update({
      where: { id: args.id },
      data: { status: to, version: { increment: 1 }, updatedAt: deps.now },
    });
    await tx.certificationEvent.create({
      data: { certificationId: args.id, action: to, at: deps.now, actor: deps.actor.sub, note: reason },
    });
    return certification;
  });
}

export function rejectCertification(deps: LifecycleDeps, args: { id: string; expectedVersion: number; reason: string }) {
  return closeCertification(deps, args, 'PENDING', 'REJECTED');
}

export function revokeCertification(deps: LifecycleDeps, args: { id: string; expectedVersion: number; reason: string }) {
  return closeCertification(deps, args, 'APPROVED', 'REVOKED');
}

/**
 * Bulk tagging. Each eligible product without an open certification gets an
 * APPROVED certificate of its own, in its own transaction; every other product
 * is reported under `failed` and left exactly as it was.
 */
export async function certifyProducts(
  deps: LifecycleDeps,
  args: { productIds: readonly string[]; validUntil: Date; note?: string | null },
): Promise<CertifyProductsResult> {
  if (args.productIds.length > MAX_BULK_PRODUCTS) {
    throw badUserInput('productIds', `at most ${MAX_BULK_PRODUCTS} products per call, got ${args.productIds.length}`);
  }
  const validUntil = validUntilInput(args.validUntil, deps.now);
  const note = optionalText('note', args.note, MAX_NOTE);
  const productIds = [...new Set(args.productIds)];
  const facts = await deps.productFacts(productIds);
  const open = await deps.db.certification.findMany({
    where: {
      productId: { in: productIds },
      OR: [{ status: 'PENDING' }, { status: 'APPROVED', validUntil: { gt: deps.now } }],
    },
  });
  const openByProduct = new Map(open.map((certification) => [certification.productId, certification]));
  const result: CertifyProductsResult = { certified: [], failed: [] };
  for (const productId of productIds) {
    const productFacts = facts.get(productId);
    if (!productFacts) {
      result.failed.push({ productId, code: ErrorCode.NOT_FOUND, message: `No product ${productId}.` });
      continue;
    }
    const eligibility = decideEligibility(productFacts);
    if (!eligibility.eligible) {
      result.failed.push({ productId, code: ErrorCode.INELIGIBLE, message: eligibility.reasons.join(' ') });
      continue;
    }
    const existing = openByProduct.get(productId);
    if (existing) {
      result.failed.push({
        productId,
        code: ErrorCode.CONFLICT,
        message: `Product ${productId} already has an open certification (${existing.status}).`,
      });
      continue;
    }
    const approval = approvalFields(productFacts, deps, validUntil);
    try {
      result.certified.push(
        await deps.db.$transaction(async (tx) => {
          await storeLapsedCertificates(tx, productId, deps.now);
          const certification = await tx.certification.create({
            data: {
              id: `cert_${randomUUID()}`,
              productId,
              status: 'APPROVED',
              certificateNumber: await nextCertificateNumber(tx, approval.year, approval.region),
              issuedBy: approval.issuedBy,
              validFrom: approval.validFrom,
              validUntil: approval.validUntil,
              evidence: note ?? 'Certified in bulk by certification staff.',
              version: 1,
              createdAt: deps.now,
              updatedAt: deps.now,
            },
          });
          await tx.certificationEvent.create({
            data: { certificationId: certification.id, action: 'APPROVED', at: deps.now, actor: deps.actor.sub, note },
          });
          return certification;
        }),
      );
    } catch (err) {
      // Another request opened a certification for this product since the check above.
      if (!isUniqueViolation(err)) throw err;
      result.failed.push({ productId, code: ErrorCode.CONFLICT, message: `Product ${productId} already has an open certification.` });
    }
  }
  return result;
}
