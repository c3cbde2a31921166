// Writes the public API schema of the composed supergraph (what browsers and
// partners can query) to gateway/console/generated/api.graphql, for codegen
// to type the console's operations against. Run by `npm run codegen`.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { printSchema } from 'graphql';
import { composeApiSchema } from '../gateway/supergraph';

export const API_SCHEMA_PATH = join(__dirname, '..', 'gateway', 'console', 'generated', 'api.graphql');

export function writeApiSchema(): void {
  mkdirSync(dirname(API_SCHEMA_PATH), { recursive: true });
  writeFileSync(API_SCHEMA_PATH, printSchema(composeApiSchema()));
}

if (require.main === module) writeApiSchema();
