/**
 * Lines a query plan's fetches up so that more of them go out side by side
 * to the same subgraph, where the merge layer (fetchBatching.ts) sends them
 * as one request.
 *
 * Apollo's planner runs a fetch as early as it can. In a product's detail
 * that starts the certification subgraph's fetch of `certification` beside
 * the suppliers fetch, while a second certification fetch
 * (`reliefEligibility`, which @requires supplier fields) has to wait for the
 * suppliers answer: two requests to one subgraph where one would do. Started
 * with the later fetch instead, the first costs no time (the branch that
 * holds the later fetch is the longer one, and the Parallel waits for it
 * anyway) and the two go out merged: three subgraph requests instead of four.
 *
 * The move is sound because siblings of a Parallel never depend on each
 * other: a fetch that ran first can run later inside a sibling (in one of
 * its Sequences, at any depth of Sequences and Parallels), at the same place
 * in the response (Flatten paths are from the root), and whatever comes
 * after the Parallel still finds it done.
 */
import type { Experimental_DidResolveQueryPlanCallback } from '@apollo/gateway';

export type QueryPlan = Parameters<Experimental_DidResolveQueryPlanCallback>[0]['queryPlan'];
type PlanNode = Exclude<NonNullable<QueryPlan['node']>, { kind: 'Subscription' }>;

/** The subgraph of a single fetch (at the root, or flattened into a path); none for anything else. */
function subgraphOf(node: PlanNode): string | undefined {
  if (node.kind === 'Fetch') return node.serviceName;
  if (node.kind === 'Flatten' && node.node.kind === 'Fetch') return node.node.serviceName;
  return undefined;
}

/**
 * `node` with `fetch` (a fetch from `subgraph`) placed beside the first
 * fetch from the same subgraph that starts later than `node` does, or null
 * when there is none. `later` tells whether `node` itself starts later (it
 * follows another step of a Sequence). Only Sequence and Parallel nodes are
 * entered: inside a Flatten the fetch would read the wrong part of the
 * response.
 */
function placed(node: PlanNode, subgraph: string, fetch: PlanNode, later: boolean): PlanNode | null {
  if (subgraphOf(node) === subgraph) return later ? { kind: 'Parallel', nodes: [node, fetch] } : null;
  if (node.kind === 'Parallel') {
    if (later && node.nodes.some((child) => subgraphOf(child) === subgraph)) return { ...node, nodes: [...node.nodes, fetch] };
    for (let index = 0; index < node.nodes.length; index += 1) {
      const child = placed(node.nodes[index], subgraph, fetch, later);
      if (child) return { ...node, nodes: node.nodes.map((each, at) => (at === index ? child : each)) };
    }
  }
  if (node.kind === 'Sequence') {
    for (let index = 0; index < node.nodes.length; index += 1) {
      const step = placed(node.nodes[index], subgraph, fetch, later || index > 0);
      if (step) return { ...node, nodes: node.nodes.map((each, at) => (at === index ? step : each)) };
    }
  }
  return null;
}

function aligned(node: PlanNode): PlanNode {
  switch (node.kind) {
    case 'Sequence':
      return { ...node, nodes: node.nodes.map(aligned) };
    case 'Flatten':
      return { ...node, node: aligned(node.node) };
    case 'Parallel': {
      const nodes = node.nodes.map(aligned);
      for (let index = 0; index < nodes.length;) {
        const subgraph = subgraphOf(nodes[index]);
        let moved = false;
        for (let sibling = 0; subgraph !== undefined && !moved && sibling < nodes.length; sibling += 1) {
          if (sibling === index || subgraphOf(nodes[sibling]) !== undefined) continue;
          const target = placed(nodes[sibling], subgraph, nodes[index], false);
          if (target) {
            nodes[sibling] = target;
            moved = true;
          }
        }
        if (moved) nodes.splice(index, 1);
        else index += 1;
      }
      return nodes.length === 1 ? nodes[0] : { ...node, nodes };
    }
    default:
      // Defer and Condition nodes are left as planned.
      return node;
  }
}

const done = new WeakSet<QueryPlan>();

/**
 * Aligns a plan once. Apollo keeps one plan object per operation in its plan
 * cache and shows it here before each run, so the first run changes it and
 * every later run (of any request) executes the changed plan.
 */
export function alignFetches(plan: QueryPlan): void {
  if (done.has(plan)) return;
  done.add(plan);
  if (plan.node && plan.node.kind !== 'Subscription') plan.node = aligned(plan.node);
}
