// The Kubernetes manifests of deploy/kubernetes/: valid against the Kubernetes
// schemas, shaped as the README's "Deploying" promises, and in step with the
// code: every variable the processes read is set there or documented as
// optional, every variable set there is one a process reads, secrets come by
// reference, and the supergraph ConfigMap is the current composition.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { SUBGRAPH_NAMES, type SubgraphName } from '../common/topology';
import { composeSupergraph } from '../gateway/supergraph';
import { kustomizedObjects, type ManifestObject } from '../scripts/validateKubernetes';

const root = join(__dirname, '..');
const dir = join(root, 'deploy', 'kubernetes');
const { objects, kustomization } = kustomizedObjects(dir);
const PORTS: Record<SubgraphName, number> = { products: 4001, suppliers: 4002, certification: 4003 };

/* eslint-disable @typescript-eslint/no-explicit-any */
function find(kind: string, name: string): any {
  const object = objects.find((candidate) => candidate.kind === kind && candidate.name === name);
  if (!object) throw new Error(`no ${kind} ${name} in deploy/kubernetes`);
  return object.body;
}
type EnvVar = { name: string; value?: string; valueFrom?: { secretKeyRef?: { name: string; key: string } } };
const container = (workload: any): any => workload.spec.template.spec.containers[0];
const envOf = (workload: any): EnvVar[] => container(workload).env ?? [];
const workloads = objects.filter((object) => object.kind === 'Deployment' || object.kind === 'Job');

function tsFiles(folder: string): string[] {
  return readdirSync(folder, { withFileTypes: true }).flatMap((entry) => {
    const path = join(folder, entry.name);
    if (entry.isDirectory()) return entry.name === 'generated' || entry.name === 'playground' ? [] : tsFiles(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

/** Every environment variable the processes' code reads, found in the source (so a new setting is noticed here). */
function variablesRead(): Set<string> {
  const names = new Set<string>();
  const files = [...['common', 'gateway', 'subgraphs'].flatMap((folder) => tsFiles(join(root, folder))), join(root, 'scripts', 'migrate.ts')];
  for (const file of files) {
    const code = readFileSync(file, 'utf8');
    for (const match of code.matchAll(/env(?:String|Int|Port|Boolean|Url|Secret)\(\s*env,\s*'([A-Z][A-Z0-9_]+)'/g)) names.add(match[1]);
    for (const match of code.matchAll(/\benv\.([A-Z][A-Z0-9_]+)/g)) names.add(match[1]);
    // Per-subgraph settings: `${name.toUpperCase()}_PORT` and the like.
    for (const match of code.matchAll(/`\$\{\w+\.toUpperCase\(\)\}_([A-Z][A-Z0-9_]+)`/g)) {
      for (const name of SUBGRAPH_NAMES) names.add(`${name.toUpperCase()}_${match[1]}`);
    }
    // Tables of variable names (the rate limit policies).
    for (const table of code.matchAll(/_VARIABLES[^=]*=\s*\{([^}]*)\}/g)) {
      for (const match of table[1].matchAll(/'([A-Z][A-Z0-9_]+)'/g)) names.add(match[1]);
    }
  }
  return names;
}

/** Variables the README's Configuration table documents (each with its default, so optional). */
function documentedVariables(): Set<string> {
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('## Configuration'), readme.indexOf('\n## ', readme.indexOf('## Configuration') + 5));
  const names = new Set<string>();
  for (const line of section.split('\n').filter((row) => row.startsWith('| `'))) {
    const firstCell = line.split('|')[1];
    for (const match of firstCell.matchAll(/`([A-Z][A-Z0-9_]+)`/g)) names.add(match[1]);
    // "`PRODUCTS_SUBGRAPH_URL`, …" stands for every subgraph.
    for (const match of firstCell.matchAll(/`PRODUCTS_([A-Z0-9_]+)`, …/g)) for (const name of SUBGRAPH_NAMES) names.add(`${name.toUpperCase()}_${match[1]}`);
  }
  return names;
}

describe('Kubernetes manifests', () => {
  test('every object is valid against the Kubernetes schemas (kubernetes-models), and the validator refuses invalid ones', () => {
    const run = (target: string) =>
      spawnSync(process.execPath, ['--import', 'tsx', join(root, 'scripts', 'validateKubernetes.ts'), target, '--json'], { cwd: root, encoding: 'utf8' });
    const result = run(dir);
    const report = JSON.parse(result.stdout) as { object: string; error: string | null }[];
    expect(report.filter((entry) => entry.error)).toEqual([]);
    expect(report.length).toBe(objects.length);
    expect(result.status).toBe(0);

    const broken = mkdtempSync(join(tmpdir(), 'rgg-k8s-'));
    try {
      const gateway = readFileSync(join(dir, 'gateway.yaml'), 'utf8').replace('replicas: 3', 'replicas: three');
      writeFileSync(join(broken, 'gateway.yaml'), gateway);
      writeFileSync(join(broken, 'kustomization.yaml'), 'resources:\n  - gateway.yaml\n');
      const refused = run(broken);
      expect(refused.status).toBe(1);
      expect(JSON.parse(refused.stdout)).toContainEqual({
        object: 'gateway.yaml: Deployment gateway',
        error: expect.stringContaining('replicas must be integer'),
      });
    } finally {
      rmSync(broken, { recursive: true, force: true });
    }
  });

  test('the gateway: 3 replicas, /ready and /health probes, a preStop pause, resources, a PodDisruptionBudget and an autoscaler', () => {
    const deployment = find('Deployment', 'gateway');
    expect(deployment.spec.replicas).toBe(3);
    const gateway = container(deployment);
    expect(gateway.args).toEqual(['gateway']);
    expect(gateway.readinessProbe.httpGet).toEqual({ path: '/ready', port: 'http' });
    expect(gateway.livenessProbe.httpGet).toEqual({ path: '/health', port: 'http' });
    const pause = Number(gateway.lifecycle.preStop.exec.command[1]);
    expect(gateway.lifecycle.preStop.exec.command[0]).toBe('sleep');
    // The pause plus the drain fit in the grace period.
    const drain = Number(envOf(deployment).find((env) => env.name === 'SHUTDOWN_GRACE_MS')!.value) / 1000;
    expect(pause + drain).toBeLessThan(deployment.spec.template.spec.terminationGracePeriodSeconds);
    const pdb = find('PodDisruptionBudget', 'gateway');
    expect(pdb.spec.selector.matchLabels).toEqual(deployment.spec.selector.matchLabels);
    expect(pdb.spec.minAvailable).toBeLessThan(deployment.spec.replicas);
    const hpa = find('HorizontalPodAutoscaler', 'gateway');
    expect(hpa.spec.scaleTargetRef).toEqual({ apiVersion: 'apps/v1', kind: 'Deployment', name: 'gateway' });
    expect(hpa.spec.minReplicas).toBe(3);
    // CPU utilisation is measured against requests: they must be set.
    for (const workload of workloads) {
      const resources = container(workload.body).resources;
      expect({ workload: workload.name, requests: !!resources?.requests?.cpu && !!resources?.requests?.memory, limits: !!resources?.limits?.memory }).toEqual({
        workload: workload.name,
        requests: true,
        limits: true,
      });
    }
  });

  test('each subgraph: 2 replicas, its own Service, its own database secret and a migration Job', () => {
    for (const name of SUBGRAPH_NAMES) {
      const deployment = find('Deployment', name);
      expect(deployment.spec.replicas).toBe(2);
      const main = container(deployment);
      expect(main.args).toEqual([name]);
      expect(main.ports[0].containerPort).toBe(PORTS[name]);
      const service = find('Service', name);
      expect(service.spec.selector).toEqual(deployment.spec.template.metadata.labels);
      expect(service.spec.ports[0].port).toBe(PORTS[name]);
      const database = envOf(deployment).find((env) => env.name === `${name.toUpperCase()}_DATABASE_URL`);
      expect(database?.valueFrom?.secretKeyRef?.name).toBe(`${name}-database`);
      expect(envOf(deployment).find((env) => env.name === 'SEED_DEMO_DATA')?.value).toBe('never');
      const job = find('Job', `${name}-migrate`);
      expect(container(job).args).toEqual(['migrate', name]);
      expect(envOf(job).find((env) => env.name === `${name.toUpperCase()}_DATABASE_URL`)).toEqual(database);
      // Every other subgraph's Service is where this one reaches it.
      for (const peer of SUBGRAPH_NAMES) {
        expect(envOf(deployment).find((env) => env.name === `${peer.toUpperCase()}_SUBGRAPH_URL`)?.value).toBe(`http://${peer}:${PORTS[peer]}/graphql`);
      }
    }
  });

  test('the supergraph is a ConfigMap mounted as a folder (so updates reach the pods) and is the current composition', () => {
    const deployment = find('Deployment', 'gateway');
    const path = envOf(deployment).find((env) => env.name === 'SUPERGRAPH_PATH')!.value!;
    const volume = deployment.spec.template.spec.volumes.find((candidate: any) => candidate.configMap?.name === 'supergraph');
    const mount = container(deployment).volumeMounts.find((candidate: any) => candidate.name === volume.name);
    // A subPath mount is never updated by the kubelet; a folder mount is.
    expect(mount.subPath).toBeUndefined();
    expect(mount.mountPath).toBe(dirname(path));
    const configMap = find('ConfigMap', 'supergraph');
    expect(Object.keys(configMap.data)).toEqual([path.split('/').pop()]);
    expect(kustomization.configMapGenerator?.[0].options?.disableNameSuffixHash).toBe(true);
    const urls = Object.fromEntries(SUBGRAPH_NAMES.map((name) => [name, `http://${name}:${PORTS[name]}/graphql`])) as Record<SubgraphName, string>;
    // If this fails after a schema change: npm run compose:kubernetes
    expect(configMap.data['supergraph.graphql']).toBe(composeSupergraph(urls));
  });

  test('every variable the processes read is set in the manifests or documented as optional; every variable set is read', () => {
    const read = variablesRead();
    // A sanity check on the search itself.
    for (const known of ['AUTH_SECRET', 'SUBGRAPH_SECRET', 'PRODUCTS_DATABASE_URL', 'RATE_LIMIT_PARTNER', 'SUPERGRAPH_POLL_MS', 'NODE_ENV'])
      expect(read).toContain(known);
    const set = new Set(workloads.flatMap((workload) => envOf(workload.body).map((env) => env.name)));
    const documented = documentedVariables();
    expect([...read].filter((name) => !set.has(name) && !documented.has(name)).sort()).toEqual([]);
    expect([...set].filter((name) => !read.has(name)).sort()).toEqual([]);
    // What production needs has no default: set, not merely documented.
    const required: Record<string, string[]> = {
      gateway: ['NODE_ENV', 'AUTH_SECRET', 'SUBGRAPH_SECRET', 'REDIS_URL', 'SUPERGRAPH_PATH', 'HOST'],
      ...Object.fromEntries(
        SUBGRAPH_NAMES.map((name) => [name, ['NODE_ENV', 'SUBGRAPH_SECRET', `${name.toUpperCase()}_DATABASE_URL`, 'SUBGRAPH_HOST', 'SEED_DEMO_DATA']]),
      ),
    };
    for (const [name, variables] of Object.entries(required)) {
      const names = envOf(find('Deployment', name)).map((env) => env.name);
      expect({ name, missing: variables.filter((variable) => !names.includes(variable)) }).toEqual({ name, missing: [] });
    }
  });

  test('secrets come by reference, from Secrets the example names with those keys', () => {
    const secrets = objects.filter((object) => object.kind === 'Secret');
    for (const workload of workloads) {
      for (const env of envOf(workload.body)) {
        if (/SECRET|DATABASE_URL|REDIS_URL/.test(env.name)) {
          expect({ workload: workload.name, env: env.name, literal: env.value }).toEqual({ workload: workload.name, env: env.name, literal: undefined });
          const ref = env.valueFrom!.secretKeyRef!;
          const secret = secrets.find((candidate: ManifestObject) => candidate.name === ref.name);
          expect({ ref, inExample: !!secret?.body.stringData?.[ref.key] }).toEqual({ ref, inExample: true });
        }
      }
    }
    // The example Secrets are documentation, never applied with the kustomization.
    expect(kustomization.resources).not.toContain('secrets.example.yaml');
  });

  test("pods run as the image's non-root user without privileges", () => {
    const dockerfile = readFileSync(join(root, 'Dockerfile'), 'utf8');
    const uid = Number(/^USER (\d+):(\d+)$/m.exec(dockerfile)![1]);
    for (const workload of workloads) {
      const pod = workload.body.spec.template.spec;
      expect({ name: workload.name, runAsNonRoot: pod.securityContext.runAsNonRoot, runAsUser: pod.securityContext.runAsUser }).toEqual({
        name: workload.name,
        runAsNonRoot: true,
        runAsUser: uid,
      });
      expect(container(workload.body).securityContext.allowPrivilegeEscalation).toBe(false);
    }
  });
});
