// Replicas under load, killed: three gateways and two replicas of each
// subgraph behind HAProxy, on PostgreSQL and one Redis. Under steady partner
// reads with staff approvals alongside, one gateway and one replica of each
// subgraph are SIGKILLed and started again, then every process is stopped
// with SIGTERM and started again, a replica of each service at a time. No
// partner read fails, no approval is applied twice or lost after a 200, every
// refusal carries a code, every process is back in the balancer once ready.
// Needs Debian's haproxy: skipped where it is missing, except in CI.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { haproxyBinary } from './support/haproxy';
import { startReplicaDeployment, type ReplicaDeployment } from './support/replicaDeployment';
import { runReplicaScenario, type ScenarioReport } from './support/replicaScenario';

const available = haproxyBinary() !== null;
if (!available && process.env.CI === 'true')
  throw new Error('haproxy is not installed, and CI must run the replica test: apt-get install -y haproxy (.ci/run does)');
const describeWithHaproxy = available ? describe : describe.skip;

// How long HAProxy may take, once a process answers its readiness endpoint, to
// send it requests again: rise 2 checks at fastinter 250 ms / inter 500 ms, plus slack.
const BALANCER_LAG_MS = 2500;

describeWithHaproxy('replicas under load, killed and rolled (HAProxy, PostgreSQL, Redis)', () => {
  const work = mkdtempSync(join(tmpdir(), 'rgg-replicas-'));
  let deployment: ReplicaDeployment;
  let report: ScenarioReport;

  beforeAll(async () => {
    deployment = await startReplicaDeployment({ work });
    report = await runReplicaScenario(deployment, { partnerConnections: 6, staffConnections: 2, steadyMs: 2000, cycles: 1 });
    const { failures: _failures, ...partner } = report.partner;
    console.log(JSON.stringify({ durationMs: report.durationMs, partner, approvals: report.approvals, kills: report.kills, rolling: report.rolling }));
  }, 300_000);

  afterAll(async () => {
    await deployment?.close();
    rmSync(work, { recursive: true, force: true });
  });

  test('no partner read fails while replicas are killed and rolled', () => {
    expect(report.partner.failures).toEqual([]);
    expect(report.partner.failed).toBe(0);
    expect(report.partner.byOperation.CatalogPage).toBeGreaterThan(50);
    expect(report.partner.byOperation.ProductDetail).toBeGreaterThan(50);
  });

  test('every approval is applied exactly once or refused with a code the client acts on', () => {
    expect(report.approvals.attempted).toBeGreaterThan(5);
    expect(report.approvals.applied).toBeGreaterThan(0);
    expect(report.approvals.unactionable).toEqual([]);
    expect(report.approvals.appliedTwice).toEqual([]);
    expect(report.approvals.lostAfter200).toEqual([]);
    expect(report.approvals.misjudged).toEqual([]);
  });

  test('killed processes and rolled ones are back in the balancer within their readiness time; SIGTERM drains and exits cleanly', () => {
    expect(report.kills.map((timing) => timing.replica).sort()).toEqual(['certification-0', 'gateway-0', 'products-0', 'suppliers-0']);
    expect(report.rolling.map((timing) => timing.replica).sort()).toEqual(deployment.replicas.map((replica) => replica.name).sort());
    for (const timing of [...report.kills, ...report.rolling]) {
      expect({ replica: timing.replica, lag: timing.inBalancerMs - timing.readyMs <= BALANCER_LAG_MS }).toEqual({ replica: timing.replica, lag: true });
    }
    for (const timing of report.rolling) expect({ replica: timing.replica, exitCode: timing.exitCode }).toEqual({ replica: timing.replica, exitCode: 0 });
  });
});
