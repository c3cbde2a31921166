import type { Resolvers } from '../generated/graphql';
import { Mutation } from './Mutation';
import { Query } from './Query';
import { Region } from './Region';
import { Supplier, SupplierConnection } from './Supplier';

export const resolvers: Resolvers = { Query, Mutation, Supplier, SupplierConnection, Region };
