import { createHash } from 'node:crypto';
import type { ApolloServerPlugin } from '@apollo/server';
import { ApolloServerErrorCode } from '@apollo/server/errors';
import type Redis from 'ioredis';
import { GraphQLError, Kind, parse, print, visit, type ASTNode, type DocumentNode, type FragmentDefinitionNode, type OperationDefinitionNode } from 'graphql';
import { ErrorCode } from '../../common/errors';
import type { GatewayContext } from '../requestContext';
import { RedisKeyValueCache } from '../redisConnection';
import { readManifest, type PersistedQueryManifest } from '../trustedDocuments';
import type { GatewayFeature } from './types';

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

// The operation as printed by graphql-js, with the fragments it uses: two
// texts that differ only in layout or comments have the same fingerprint.
function fingerprint(document: DocumentNode, operationName: string | null | undefined): string | null {
  const operations = document.definitions.filter((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);
  const operation = operationName ? operations.find((o) => o.name?.value === operationName) : operations.length === 1 ? operations[0] : undefined;
  if (!operation) return null;
  const fragments = document.definitions.filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION);
  const used = new Set<string>();
  const pending: ASTNode[] = [operation];
  while (pending.length) {
    visit(pending.pop()!, {
      FragmentSpread(spread) {
        if (used.has(spread.name.value)) return;
        used.add(spread.name.value);
        const fragment = fragments.find((f) => f.name.value === spread.name.value);
        if (fragment) pending.push(fragment);
      },
    });
  }
  const printed = [operation, ...fragments.filter((f) => used.has(f.name.value)).sort((a, b) => a.name.value.localeCompare(b.name.value))]
    .map((definition) => print(definition))
    .join('\n\n');
  return sha256(printed);
}

function notAllowed(): GraphQLError {
  return new GraphQLError('Only operations from the persisted query manifest may run on this gateway.', {
    extensions: { code: ErrorCode.PERSISTED_QUERY_NOT_ALLOWED, http: { status: 400 } },
  });
}

/**
 * Trusted documents (PERSISTED_QUERIES=only): a request runs only when it
 * names a manifest operation by its hash, or sends an operation identical to
 * one (up to layout and comments). Anything else is refused with
 * PERSISTED_QUERY_NOT_ALLOWED before planning, so no subgraph is called.
 */
export function trustedDocumentsPlugin(manifest: PersistedQueryManifest): ApolloServerPlugin<GatewayContext> {
  const bodies = new Map(manifest.operations.map((operation) => [operation.id, operation.body]));
  const allowed = new Set(manifest.operations.map((operation) => fingerprint(parse(operation.body), operation.name)));
  return {
    async requestDidStart({ request }) {
      const hash = (request.extensions?.persistedQuery as { sha256Hash?: string } | undefined)?.sha256Hash;
      const unknownHash = !request.query && hash !== undefined && !bodies.has(hash);
      // Resolved here, before Apollo's APQ lookup, which then finds nothing to do.
      if (!request.query && hash && bodies.has(hash)) request.query = bodies.get(hash);
      return {
        // An unknown hash fails Apollo's APQ lookup first; say why it can never succeed here.
        async willSendResponse({ response }) {
          if (!unknownHash || response.body.kind !== 'single') return;
          const { errors } = response.body.singleResult;
          if (errors?.some((error) => error.extensions?.code === ApolloServerErrorCode.PERSISTED_QUERY_NOT_FOUND)) {
            response.body.singleResult.errors = [notAllowed().toJSON()];
          }
        },
        async didResolveOperation({ document, operationName }) {
          if (!allowed.has(fingerprint(document, operationName))) throw notAllowed();
        },
      };
    },
  };
}

/**
 * PERSISTED_QUERIES: `auto`, Apollo's automatic persisted queries (their
 * documents in Redis when the gateway shares one); `only`, trusted documents
 * from the manifest (PERSISTED_QUERY_MANIFEST) and nothing else; `off`.
 */
export function persistedQueries(options: { mode: 'auto' | 'only' | 'off'; manifestPath: string; redis: Redis | null; keyPrefix: string }): GatewayFeature {
  const { mode, redis } = options;
  return {
    name: 'persisted queries',
    apollo: { persistedQueries: mode === 'off' ? false : redis ? { cache: new RedisKeyValueCache(redis, `${options.keyPrefix}apq:`) } : {} },
    plugins: mode === 'only' ? [trustedDocumentsPlugin(readManifest(options.manifestPath))] : [],
  };
}
