import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Kind, parse, print, type DocumentNode, type OperationDefinitionNode } from 'graphql';

/** Where the partner contract lives: CONTRACT_DIR, default ../shared/contract beside the checkout. */
export function defaultContractDir(): string {
  return join(__dirname, '..', '..', 'shared', 'contract');
}

export interface ContractOperation {
  name: string;
  file: string;
  query: string;
  document: DocumentNode;
}

/** Every named operation of the contract's .graphql files, one document each. */
export function readContractOperations(dir: string): ContractOperation[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((file) => file.endsWith('.graphql'))
    .sort()
    .flatMap((file) => {
      const document = parse(readFileSync(join(dir, file), 'utf8'));
      return document.definitions
        .filter((definition): definition is OperationDefinitionNode => definition.kind === Kind.OPERATION_DEFINITION)
        .map((operation) => {
          const single: DocumentNode = { kind: Kind.DOCUMENT, definitions: [operation] };
          return { name: operation.name?.value ?? file, file, query: print(single), document: single };
        });
    });
}

/** The staff operations of the contract (its staff-operations.graphql): certifier work, never shown to anonymous visitors. */
export function isStaffOperation(operation: Pick<ContractOperation, 'file'>): boolean {
  return operation.file.startsWith('staff-');
}
