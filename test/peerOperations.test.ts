// The operations one subgraph sends to another are checked against the
// peer's current subgraph schema (its SDL with _entities, as it serves it),
// so a change to schema/<peer>.graphql that breaks a caller fails here, and
// their answers are typed by codegen, never by a hand-written type.
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { Kind, parse, validate, type DocumentNode, type OperationDefinitionNode } from 'graphql';
import { parse as parseYaml } from 'yaml';
import { SUBGRAPH_NAMES, type SubgraphName } from '../common/topology';
import { readSubgraphSdl } from '../gateway/supergraph';

const root = join(__dirname, '..');

/**
 * The peer operations, as codegen.yml lists them: each
 * subgraphs/<caller>/generated/<peer>Operations.ts entry and its documents
 * (.graphql files, or a module's GraphQL-tagged template constants).
 */
function peerDocuments(): { caller: SubgraphName; peer: SubgraphName; file: string; document: DocumentNode }[] {
  const config = parseYaml(readFileSync(join(root, 'codegen.yml'), 'utf8')) as { generates: Record<string, { documents?: string | string[] }> };
  return Object.entries(config.generates).flatMap(([output, entry]) => {
    const match = /^subgraphs\/(\w+)\/generated\/(\w+)Operations\.ts$/.exec(output);
    if (!match) return [];
    const [caller, peer] = [match[1] as SubgraphName, match[2] as SubgraphName];
    return [entry.documents ?? []].flat().flatMap((file) => {
      const text = readFileSync(join(root, file), 'utf8');
      const sources = file.endsWith('.graphql') ? [text] : [...text.matchAll(/\/\* GraphQL \*\/ `([^`]+)`/g)].map((constant) => constant[1]);
      return sources.flatMap((source) =>
        parse(source)
          .definitions.filter((definition): definition is OperationDefinitionNode => definition.kind === Kind.OPERATION_DEFINITION)
          .map((operation) => ({ caller, peer, file, document: { kind: Kind.DOCUMENT, definitions: [operation] } as DocumentNode })),
      );
    });
  });
}

const documents = peerDocuments();
const schemas = new Map(SUBGRAPH_NAMES.map((name) => [name, buildSubgraphSchema({ typeDefs: parse(readSubgraphSdl(name)) })]));

function operationName(document: DocumentNode): string {
  const operation = document.definitions.find((definition): definition is OperationDefinitionNode => definition.kind === Kind.OPERATION_DEFINITION);
  return operation?.name?.value ?? '(anonymous)';
}

function typescriptFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'generated' ? [] : typescriptFiles(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

describe('operations between subgraphs', () => {
  it('are found in codegen.yml for every call one subgraph makes to another', () => {
    const calls = documents.map(({ caller, peer, document }) => `${caller} -> ${peer}: ${operationName(document)}`).sort();
    expect(calls).toEqual([
      'certification -> products: ProductFacts',
      'certification -> suppliers: SupplierFacts',
      'products -> certification: CertificationStates',
      'products -> certification: CertifiedProductChanges',
      'products -> suppliers: ResolveSuppliers',
      'suppliers -> products: SupplierMerged',
    ]);
  });

  it.each(documents.map((entry) => [entry.caller, entry.peer, operationName(entry.document), entry] as const))(
    '%s -> %s: %s validates against the peer’s subgraph schema',
    (_caller, peer, _name, { document }) => {
      expect(validate(schemas.get(peer)!, document).map((error) => error.message)).toEqual([]);
    },
  );

  it('have their answers typed by codegen: no hand-written response type at a SubgraphClient call', () => {
    const inline = typescriptFiles(join(root, 'subgraphs')).flatMap((file) =>
      readFileSync(file, 'utf8')
        .split('\n')
        .flatMap((line, index) => (/\.request<\s*\{/.test(line) ? [`${relative(root, file)}:${index + 1}`] : [])),
    );
    expect(inline).toEqual([]);
  });
});
