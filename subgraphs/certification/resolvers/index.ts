import { DateTimeScalar } from '../../../common/scalars';
import type { Resolvers } from '../generated/graphql';
import { Certification, CertificationConnection } from './Certification';
import { Mutation } from './Mutation';
import { Product } from './Product';
import { Query } from './Query';

export const resolvers: Resolvers = {
  DateTime: DateTimeScalar,
  Query,
  Mutation,
  Certification,
  CertificationConnection,
  Product,
};
