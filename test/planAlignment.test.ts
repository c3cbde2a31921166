// Query plans lined up so that fetches of one subgraph go out side by side
// (gateway/fetch/planAlignment.ts): on plans Apollo's own planner makes for
// the contract's operations over the composed supergraph.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { operationFromDocument, Supergraph } from '@apollo/federation-internals';
import { QueryPlanner, prettyFormatQueryPlan } from '@apollo/query-planner';
import { Kind, parse } from 'graphql';
import { LOCAL_PEER_URLS } from './support/localSubgraph';
import { alignFetches, type QueryPlan } from '../gateway/fetch/planAlignment';
import { composeSupergraph } from '../gateway/supergraph';

const supergraph = Supergraph.build(composeSupergraph(LOCAL_PEER_URLS));
const planner = new QueryPlanner(supergraph);
const contract = ['partner-operations.graphql', 'staff-operations.graphql'].map((file) =>
  parse(readFileSync(join(__dirname, '..', '..', 'shared', 'contract', file), 'utf8')),
);
const operations = contract.flatMap((document) =>
  document.definitions.flatMap((definition) => (definition.kind === Kind.OPERATION_DEFINITION ? [{ document, name: definition.name!.value }] : [])),
);
const planOf = (name: string): QueryPlan => {
  const { document } = operations.find((operation) => operation.name === name)!;
  return planner.buildQueryPlan(operationFromDocument(supergraph.schema, document, { operationName: name }));
};

/** The plan's fetches as "<subgraph> <path>" lines, each indented by how many Parallel or Sequence nodes hold it, with those nodes' kinds. */
function outline(plan: QueryPlan): string[] {
  return prettyFormatQueryPlan(plan)
    .split('\n')
    .filter((line) => /Sequence|Parallel|Fetch\(|Flatten\(/.test(line))
    .map((line) => line.replace(/\s*\{$/, '').replace(/,$/, ''));
}

/** The subgraphs of the fetches, in the order a depth-first walk meets them, and how many there are. */
function fetches(plan: QueryPlan): string[] {
  return outline(plan)
    .filter((line) => line.includes('Fetch('))
    .map((line) => /service: "(\w+)"/.exec(line)![1]);
}

describe('lining up a query plan’s fetches', () => {
  it('runs the first certification fetch of a product’s detail beside the second, after the supplier’s', () => {
    const plan = planOf('ProductDetail');
    const before = outline(plan);
    expect(fetches(plan)).toEqual(['products', 'certification', 'suppliers', 'suppliers', 'certification']);
    alignFetches(plan);
    const after = outline(plan);
    expect(after).not.toEqual(before);
    // Still one fetch each: nothing dropped, nothing repeated.
    expect(fetches(plan).sort()).toEqual(['certification', 'certification', 'products', 'suppliers', 'suppliers']);
    // The two certification fetches now sit in one Parallel, the last step of the Sequence after the supplier fetch.
    const text = after.join('\n');
    expect(text).toMatch(
      /Sequence\n\s+Flatten\(path: "product\.supplier"\)\n\s+Fetch\(service: "suppliers"\)\n\s+Parallel\n\s+Flatten\(path: "product"\)\n\s+Fetch\(service: "certification"\)\n\s+Flatten\(path: "product"\)\n\s+Fetch\(service: "certification"\)/,
    );
  });

  it('changes a plan once: showing it again leaves it as it is', () => {
    const plan = planOf('ProductDetail');
    alignFetches(plan);
    const node = plan.node;
    alignFetches(plan);
    expect(plan.node).toBe(node);
  });

  it('leaves every other contract operation’s plan as Apollo made it', () => {
    const changed = operations
      .map(({ name }) => {
        const plan = planOf(name);
        const before = prettyFormatQueryPlan(plan);
        alignFetches(plan);
        return before === prettyFormatQueryPlan(plan) ? null : name;
      })
      .filter(Boolean);
    expect(changed).toEqual(['ProductDetail']);
  });
});
