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
 * other: a fetch that ran first can run later in its sibling Sequence, at
 * the same place in the response (Flatten paths are from the root), and
 * whatever comes after the Parallel still finds it done.
 */
import type { Experimental_DidResolveQueryPlanCallback } from '@apollo/gateway';

export type QueryPlan = Parameters<Experimental_DidResolveQueryPlanCallback>[0]['queryPlan'];
type PlanNode = Exclude<NonNullable<QueryPlan['node']>, { kind: 'Subscription' }>;
type SequenceNode = Extract<PlanNode, { kind: 'Sequence' }>;

/** The subgraph of a single fetch (at the root, or flattened into a path); none for anything else. */
function subgraphOf(node: PlanNode): string | undefined {
  if (node.kind === 'Fetch') return node.serviceName;
  if (node.kind === 'Flatten' && node.node.kind === 'Fetch') return node.node.serviceName;
  return undefined;
}

/**
 * Where in `sequence` a fetch from `subgraph` could join a later fetch of
 * the same subgraph: the index of a step after the first that is such a
 * fetch, or a Parallel holding one.
 */
function laterStepOf(sequence: SequenceNode, subgraph: string): number {
  for (let index = 1; index < sequence.nodes.length; index += 1) {
    const step = sequence.nodes[index];
    if (subgraphOf(step) === subgraph) return index;
    if (step.kind === 'Parallel' && step.nodes.some((node) => subgraphOf(node) === subgraph)) return index;
  }
  return -1;
}

function joined(step: PlanNode, fetch: PlanNode): PlanNode {
  return step.kind === 'Parallel' ? { ...step, nodes: [...step.nodes, fetch] } : { kind: 'Parallel', nodes: [step, fetch] };
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
        const target = subgraph === undefined ? -1 : nodes.findIndex((sibling) => sibling.kind === 'Sequence' && laterStepOf(sibling, subgraph) !== -1);
        if (target === -1) {
          index += 1;
          continue;
        }
        const sequence = nodes[target] as SequenceNode;
        const step = laterStepOf(sequence, subgraph!);
        nodes[target] = { ...sequence, nodes: sequence.nodes.map((each, at) => (at === step ? joined(each, nodes[index]) : each)) };
        nodes.splice(index, 1);
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
