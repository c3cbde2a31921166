// Builds the persisted query manifest (trusted documents) from the partner and
// staff contract (../shared/contract) and the project's own operations
// (importer/operations.graphql, gateway/console/operations.graphql):
//   npm run manifest [-- out.json]        default ./persisted-query-manifest.json
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Kind, parse, print, visit, type FragmentDefinitionNode, type OperationDefinitionNode } from 'graphql';
import { defaultContractDir, readContractOperations } from '../gateway/contractDocuments';
import { buildManifest } from '../gateway/trustedDocuments';

/** Each operation of a file, printed with the fragments it uses. */
function operationsOf(file: string): { name: string; query: string }[] {
  const definitions = parse(readFileSync(join(__dirname, '..', file), 'utf8')).definitions;
  const fragments = new Map(definitions.filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION).map((f) => [f.name.value, f]));
  return definitions
    .filter((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION)
    .map((operation) => {
      const used = new Set<string>();
      const pending: (OperationDefinitionNode | FragmentDefinitionNode)[] = [operation];
      while (pending.length) {
        visit(pending.pop()!, {
          FragmentSpread(spread) {
            const fragment = fragments.get(spread.name.value);
            if (!used.has(spread.name.value) && fragment) {
              used.add(spread.name.value);
              pending.push(fragment);
            }
          },
        });
      }
      const query = [operation, ...[...used].sort().map((name) => fragments.get(name)!)].map((definition) => print(definition)).join('\n\n');
      return { name: operation.name!.value, query };
    });
}

const own = [...operationsOf(join('importer', 'operations.graphql')), ...operationsOf(join('gateway', 'console', 'operations.graphql'))];
const contract = readContractOperations(defaultContractDir()).map(({ name, query }) => ({ name, query }));
const seen = new Set<string>();
const documents = [...contract, ...own].filter((document) => !seen.has(document.query) && seen.add(document.query) !== undefined);
const output = resolve(process.argv[2] ?? 'persisted-query-manifest.json');
writeFileSync(output, `${JSON.stringify(buildManifest(documents), null, 2)}\n`);
console.log(`${documents.length} operations written to ${output}`);
