// The partner contract's operations (../shared/contract), by name: the
// documents partners and staff ship, run by the tests as they are written.
import { join } from 'node:path';
import { defaultContractDir, readContractOperations, type ContractOperation } from '../../gateway/contractDocuments';

export const CONTRACT_DIR = defaultContractDir();

/** Every operation of the contract's .graphql files. */
export const contractOperations: readonly ContractOperation[] = readContractOperations(CONTRACT_DIR);

const byName = new Map(contractOperations.map((operation) => [operation.name, operation]));

/** The text of the contract operation `name`; throws naming the folder when it is missing. */
export function contractOperation(name: string): string {
  const operation = byName.get(name);
  if (!operation) throw new Error(`contract operation ${name} not found in ${join(CONTRACT_DIR, '*.graphql')}`);
  return operation.query;
}
