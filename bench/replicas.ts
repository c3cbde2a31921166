// The replica test (test/replicas.e2e.ts) as a benchmark: the same deployment
// (3 gateways, 2 replicas of each subgraph, HAProxy, PostgreSQL, Redis) under
// the same partner load and staff approvals, for longer and as many
// kill-and-restart plus rolling-update cycles as asked, with the counts
// printed and written to bench/results/replicas-<time>.json.
//
//   npm run bench:replicas [-- --cycles 3 --steady 20 --partners 12 --staff 2]
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { startReplicaDeployment } from '../test/support/replicaDeployment';
import { runReplicaScenario } from '../test/support/replicaScenario';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      cycles: { type: 'string', default: '3' },
      steady: { type: 'string', default: '20' },
      partners: { type: 'string', default: '12' },
      staff: { type: 'string', default: '2' },
    },
  });
  const options = {
    cycles: Number(values.cycles),
    steadyMs: Number(values.steady) * 1000,
    partnerConnections: Number(values.partners),
    staffConnections: Number(values.staff),
  };
  const work = mkdtempSync(join(tmpdir(), 'rgg-bench-replicas-'));
  const begin = Date.now();
  const log = (line: string) => console.log(`[${((Date.now() - begin) / 1000).toFixed(1)} s] ${line}`);
  log('starting 3 gateways, 2 replicas of each subgraph, HAProxy, Redis, PostgreSQL');
  const deployment = await startReplicaDeployment({ work, log });
  try {
    log(`deployment up; load with ${options.partnerConnections} partner and ${options.staffConnections} staff connections, ${options.cycles} cycles`);
    const report = await runReplicaScenario(deployment, { ...options, log });
    const seconds = report.durationMs / 1000;
    const { approvals, partner } = report;
    console.log(
      `\npartner reads: ${partner.ok} answered, ${partner.failed} failed in ${seconds.toFixed(0)} s (${(partner.ok / seconds).toFixed(0)}/s; ${JSON.stringify(partner.byOperation)})`,
    );
    for (const failure of partner.failures) console.log(`  failed: ${failure}`);
    console.log(
      `approvals: ${approvals.attempted} attempted, ${approvals.applied} applied with a 200, refused ${JSON.stringify(approvals.refused)}, ` +
        `${approvals.unactionable.length} without a code, ${approvals.appliedTwice.length} applied twice, ${approvals.lostAfter200.length} lost after a 200, ${approvals.misjudged.length} misjudged`,
    );
    const slowest = (timings: typeof report.kills, key: 'readyMs' | 'inBalancerMs') => Math.max(...timings.map((timing) => timing[key]));
    console.log(
      `killed and restarted: ${report.kills.length}, ready after ≤ ${slowest(report.kills, 'readyMs')} ms, in the balancer after ≤ ${slowest(report.kills, 'inBalancerMs')} ms`,
    );
    console.log(
      `rolled (SIGTERM): ${report.rolling.length}, drained in ≤ ${Math.max(...report.rolling.map((timing) => timing.drainMs ?? 0))} ms, ` +
        `exit codes ${JSON.stringify([...new Set(report.rolling.map((timing) => timing.exitCode))])}, in the balancer after ≤ ${slowest(report.rolling, 'inBalancerMs')} ms`,
    );
    const errors = deployment.loggedErrors();
    console.log(`errors logged by the processes: ${errors.length}`);
    for (const line of errors.slice(0, 20)) console.log(`  ${line}`);
    const results = join(__dirname, 'results');
    mkdirSync(results, { recursive: true });
    const file = join(results, `replicas-${new Date().toISOString().replace(/[-:]/g, '').replace(/\..*/, '')}.json`);
    writeFileSync(file, `${JSON.stringify({ date: new Date().toISOString(), options, report }, null, 2)}\n`);
    console.log(`\nwritten to ${file}`);
  } finally {
    await deployment.close();
    rmSync(work, { recursive: true, force: true });
  }
}

main().catch((err: Error) => {
  console.error(err.stack ?? err.message);
  process.exit(1);
});
