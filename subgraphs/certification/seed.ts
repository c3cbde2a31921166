import { demoCatalog } from '../../demo/demoCatalog';
import type { CertificationDb } from './store';

/** Seeds the demo certifications, their history and certificate sequences into an empty store. */
export async function seedCertificationIfEmpty(db: CertificationDb, now = new Date()): Promise<boolean> {
  if ((await db.certification.count()) > 0) return false;
  const catalog = demoCatalog(now);
  await db.$transaction([
    db.certification.createMany({ data: catalog.certifications }),
    db.certificationEvent.createMany({ data: catalog.certificationEvents }),
    db.certificateSequence.createMany({ data: catalog.certificateSequences }),
  ]);
  return true;
}
