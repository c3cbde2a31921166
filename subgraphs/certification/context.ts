import type { Store } from '../../common/database';
import type { Identity } from '../../common/identity';
import { createCertificationLoaders, type CertificationLoaders } from './certificationLoaders';
import type { ProductFactsReader } from './productFacts';
import type { CertificationDb } from './store';

export interface CertificationContext {
  identity: Identity;
  db: CertificationDb;
  loaders: CertificationLoaders;
  productFacts: ProductFactsReader;
  /** The office named on certificates. */
  issuer: string;
  /** The request's clock: one moment for every status decided in the request. */
  now: Date;
}

export function createCertificationContext(
  store: Store<CertificationDb>,
  identity: Identity,
  productFacts: ProductFactsReader,
  issuer: string,
): CertificationContext {
  return {
    identity,
    db: store.client,
    loaders: createCertificationLoaders(store.client),
    productFacts,
    issuer,
    now: new Date(),
  };
}
