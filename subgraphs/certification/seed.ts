import { demoCatalog } from '../../demo/demoCatalog';
import type { CertificationDb } from './store';

/** Seeds the demo certifications, their history and certificate sequences into an empty store. */
export async function seedCertificationIfEmpty(db: CertificationDb, now = new Date()): Promise<boolean> {
  if ((await db.certification.count()) > 0) return false;
  const catalog = demoCatalog(now);
  await db.$transaction(
    async (tx) => {
      await tx.certification.createMany({ data: catalog.certifications });
      await tx.certificationEvent.createMany({ data: catalog.certificationEvents });
      await tx.certificateSequence.createMany({ data: catalog.certificateSequences });
    },
    // Prisma's default of 5 s is for requests; on a busy machine this one-off seed can take longer.
    { timeout: 60_000 },
  );
  return true;
}
