import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Kind, parse, print, type OperationDefinitionNode } from 'graphql';

const document = parse(readFileSync(join(__dirname, 'operations.graphql'), 'utf8'));

/** The text of one named operation of importer/operations.graphql (types: ./generated/operations). */
export function operation(name: 'Platforms' | 'RegisterPlatform' | 'UpsertListings'): string {
  const definition = document.definitions.find((node): node is OperationDefinitionNode => node.kind === Kind.OPERATION_DEFINITION && node.name?.value === name);
  if (!definition) throw new Error(`operation ${name} is missing from importer/operations.graphql`);
  return print(definition);
}
