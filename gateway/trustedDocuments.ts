import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { Kind, parse, type OperationDefinitionNode } from 'graphql';
import { ConfigError } from '../common/environment';

/** Apollo's persisted query manifest format, so other Apollo tooling can read ours. */
export interface PersistedQueryManifest {
  format: 'apollo-persisted-query-manifest';
  version: 1;
  operations: { id: string; name: string; type: 'query' | 'mutation' | 'subscription'; body: string }[];
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

export function buildManifest(documents: { name: string; query: string }[]): PersistedQueryManifest {
  return {
    format: 'apollo-persisted-query-manifest',
    version: 1,
    operations: documents.map(({ name, query }) => {
      const operation = parse(query).definitions.find((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);
      return { id: sha256(query), name, type: operation?.operation ?? 'query', body: query };
    }),
  };
}

export function readManifest(path: string): PersistedQueryManifest {
  if (!existsSync(path)) throw new ConfigError('PERSISTED_QUERY_MANIFEST', `names a file that does not exist: ${path} (run npm run manifest)`);
  let manifest: PersistedQueryManifest | null = null;
  try {
    manifest = JSON.parse(readFileSync(path, 'utf8')) as PersistedQueryManifest;
  } catch {
    // reported below
  }
  if (manifest?.format !== 'apollo-persisted-query-manifest' || !Array.isArray(manifest.operations)) {
    throw new ConfigError('PERSISTED_QUERY_MANIFEST', `does not name a persisted query manifest: ${path}`);
  }
  return manifest;
}

/**
 * The operation names that may become metric labels: those of the persisted
 * query manifest (when the file is there) and of the contract.
 */
export function knownOperationNames(manifestPath: string, contract: { name: string }[]): Set<string> {
  const names = new Set(contract.map((operation) => operation.name));
  if (existsSync(manifestPath)) {
    try {
      for (const operation of readManifest(manifestPath).operations) names.add(operation.name);
    } catch {
      // Not a manifest: PERSISTED_QUERIES=only refuses to start on it; labels just fall back to the contract.
    }
  }
  return names;
}
