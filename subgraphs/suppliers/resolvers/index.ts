import type { Resolvers } from '../generated/graphql';
import { Query } from './Query';
import { Region } from './Region';
import { Supplier, SupplierConnection } from './Supplier';

export const resolvers: Resolvers = { Query, Supplier, SupplierConnection, Region };
