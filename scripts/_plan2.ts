import { readFileSync } from 'node:fs';
import { operationFromDocument, Supergraph } from '@apollo/federation-internals';
import { QueryPlanner, prettyFormatQueryPlan } from '@apollo/query-planner';
import { parse, Kind } from 'graphql';
import { alignFetches } from '../gateway/fetch/planAlignment';
import { NESTED_QUERY } from '../bench/workloads';
const sg = Supergraph.build(readFileSync('/tmp/sg.graphql', 'utf8'));
const planner = new QueryPlanner(sg);
const docs = ['../shared/contract/partner-operations.graphql', '../shared/contract/staff-operations.graphql'].map((f) => readFileSync(f, 'utf8')).concat([NESTED_QUERY]);
for (const text of docs) {
  const doc = parse(text);
  for (const def of doc.definitions) {
    if (def.kind !== Kind.OPERATION_DEFINITION) continue;
    const plan = planner.buildQueryPlan(operationFromDocument(sg.schema, doc, { operationName: def.name!.value }));
    const before = prettyFormatQueryPlan(plan);
    alignFetches(plan);
    const after = prettyFormatQueryPlan(plan);
    if (before !== after) console.log(def.name!.value, 'changed\n', after.split('\n').filter((l) => /Sequence|Parallel|Flatten|Fetch\(/.test(l)).join('\n'));
    else console.log(def.name!.value, 'same');
  }
}
