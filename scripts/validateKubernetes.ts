// Validates the Kubernetes manifests of deploy/kubernetes/ against the
// Kubernetes API schemas (the `kubernetes-models` package): every file the
// kustomization lists, the ConfigMap its generator makes, and the example
// Secrets. Prints one line per object; exits 1 if any is invalid.
//
//   npx tsx scripts/validateKubernetes.ts [deploy/kubernetes] [--json]
import { existsSync, readFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { parseAllDocuments } from 'yaml';

export interface ManifestObject {
  file: string;
  apiVersion: string;
  kind: string;
  name: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  body: any;
}

interface Kustomization {
  resources?: string[];
  configMapGenerator?: { name: string; files?: string[]; options?: { disableNameSuffixHash?: boolean } }[];
  namespace?: string;
}

export function readYamlObjects(file: string): ManifestObject[] {
  return parseAllDocuments(readFileSync(file, 'utf8'))
    .map((document) => {
      if (document.errors.length) throw new Error(`${file}: ${document.errors[0].message}`);
      return document.toJS() as { apiVersion: string; kind: string; metadata?: { name?: string } } | null;
    })
    .filter((body): body is NonNullable<typeof body> => body !== null)
    .map((body) => ({ file: basename(file), apiVersion: body.apiVersion, kind: body.kind, name: body.metadata?.name ?? '', body }));
}

/** Every object `kubectl apply -k <dir>` would create, plus the example Secrets (not applied, documented). */
export function kustomizedObjects(dir: string): { objects: ManifestObject[]; kustomization: Kustomization } {
  const kustomization = readYamlObjects(join(dir, 'kustomization.yaml'))[0].body as Kustomization;
  const objects: ManifestObject[] = [];
  for (const resource of kustomization.resources ?? []) {
    const file = join(dir, resource);
    if (!existsSync(file)) throw new Error(`kustomization.yaml lists ${resource}, which does not exist`);
    objects.push(...readYamlObjects(file));
  }
  for (const generator of kustomization.configMapGenerator ?? []) {
    const data = Object.fromEntries((generator.files ?? []).map((file) => [basename(file), readFileSync(join(dir, file), 'utf8')]));
    objects.push({
      file: 'kustomization.yaml',
      apiVersion: 'v1',
      kind: 'ConfigMap',
      name: generator.name,
      body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: generator.name, namespace: kustomization.namespace }, data },
    });
  }
  if (existsSync(join(dir, 'secrets.example.yaml'))) objects.push(...readYamlObjects(join(dir, 'secrets.example.yaml')));
  return { objects, kustomization };
}

/** The kubernetes-models namespace of an apiVersion: `apps/v1` → apps.v1, `v1` → v1, `policy/v1` → policy.v1. */
function modelPath(apiVersion: string): string[] {
  const [group, version] = apiVersion.includes('/') ? apiVersion.split('/') : [null, apiVersion];
  if (group === null) return [version];
  const namespace = group
    .split('.')
    .map((part, i) => (i === 0 ? part : part[0].toUpperCase() + part.slice(1)))
    .join('');
  return [namespace, version];
}

export async function validateObjects(objects: ManifestObject[]): Promise<{ object: string; error: string | null }[]> {
  const models = (await import('kubernetes-models')) as unknown as Record<string, Record<string, Record<string, new (data: unknown) => { validate(): void }>>>;
  return objects.map((object) => {
    const label = `${object.file}: ${object.kind} ${object.name}`;
    const [namespace, version] = modelPath(object.apiVersion);
    const group =
      version === undefined ? (models[namespace] as unknown as Record<string, new (data: unknown) => { validate(): void }>) : models[namespace]?.[version];
    const Model = group?.[object.kind];
    if (!Model) return { object: label, error: `no schema for ${object.apiVersion} ${object.kind}` };
    try {
      new Model(object.body).validate();
      return { object: label, error: null };
    } catch (err) {
      return { object: label, error: (err as Error).message };
    }
  });
}

if (require.main === module) {
  const args = process.argv.slice(2);
  const dir = resolve(args.find((arg) => !arg.startsWith('--')) ?? join(__dirname, '..', 'deploy', 'kubernetes'));
  void validateObjects(kustomizedObjects(dir).objects).then((results) => {
    if (args.includes('--json')) console.log(JSON.stringify(results));
    else for (const result of results) console.log(`${result.error ? 'INVALID' : 'valid  '} ${result.object}${result.error ? `\n  ${result.error}` : ''}`);
    process.exit(results.some((result) => result.error) ? 1 : 0);
  });
}
