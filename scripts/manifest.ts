// Builds the persisted query manifest (trusted documents) from the partner and
// staff contract (../shared/contract) and the project's own operations
// (importer/operations.graphql):
//   npm run manifest [-- out.json]        default ./persisted-query-manifest.json
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Kind, parse, print, type OperationDefinitionNode } from 'graphql';
import { defaultContractDir, readContractOperations } from '../gateway/contractDocuments';
import { buildManifest } from '../gateway/trustedDocuments';

const own = parse(readFileSync(join(__dirname, '..', 'importer', 'operations.graphql'), 'utf8'))
  .definitions.filter((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION)
  .map((operation) => ({ name: operation.name!.value, query: print(operation) }));
const contract = readContractOperations(defaultContractDir()).map(({ name, query }) => ({ name, query }));
const seen = new Set<string>();
const documents = [...contract, ...own].filter((document) => !seen.has(document.query) && seen.add(document.query) !== undefined);
const output = resolve(process.argv[2] ?? 'persisted-query-manifest.json');
writeFileSync(output, `${JSON.stringify(buildManifest(documents), null, 2)}\n`);
console.log(`${documents.length} operations written to ${output}`);
