// Summarises a V8 CPU profile (node --cpu-prof): self time per function and
// per package, the first thing to look at when a gateway misses a target.
//
//   npx tsx bench/profileSummary.ts <file.cpuprofile> [--top 25]
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

export interface ProfileEntry {
  name: string;
  where: string;
  selfMs: number;
  share: number;
}

export interface ProfileSummary {
  totalMs: number;
  idleMs: number;
  functions: ProfileEntry[];
  packages: ProfileEntry[];
}

/** node_modules/<package>, node:internal, our own file, or a V8 pseudo-frame. */
function packageOf(url: string, functionName: string): string {
  if (!url) return `(${functionName || 'anonymous'})`;
  const modules = url.lastIndexOf('node_modules/');
  if (modules !== -1) {
    const rest = url.slice(modules + 'node_modules/'.length).split('/');
    return rest[0]!.startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0]!;
  }
  if (url.startsWith('node:')) return 'node: (runtime)';
  const project = /\/(gateway|common|subgraphs|bench)\/[^?]*/.exec(url);
  return project ? `project ${project[1]}/` : url;
}

function shortUrl(url: string): string {
  const modules = url.lastIndexOf('node_modules/');
  if (modules !== -1) return url.slice(modules + 'node_modules/'.length);
  const project = /\/(gateway|common|subgraphs|bench)\/[^?]*/.exec(url);
  return project ? project[0].slice(1) : url.replace(/^file:\/\//, '');
}

export function summarizeProfile(path: string, top = 25): ProfileSummary {
  const profile = JSON.parse(readFileSync(path, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const selfUs = new Map<number, number>();
  // timeDeltas[i] is the time before sample i; attribute it to that sample's node.
  for (let i = 0; i < profile.samples.length; i++) {
    selfUs.set(profile.samples[i]!, (selfUs.get(profile.samples[i]!) ?? 0) + (profile.timeDeltas[i] ?? 0));
  }
  const functions = new Map<string, ProfileEntry>();
  const packages = new Map<string, ProfileEntry>();
  let totalUs = 0;
  let idleUs = 0;
  for (const [id, us] of selfUs) {
    const node = byId.get(id)!;
    const { functionName, url, lineNumber } = node.callFrame;
    totalUs += us;
    if (functionName === '(idle)') {
      idleUs += us;
      continue;
    }
    const name = functionName || '(anonymous)';
    const where = url ? `${shortUrl(url)}:${lineNumber + 1}` : '';
    const key = `${name}|${where}`;
    const entry = functions.get(key) ?? { name, where, selfMs: 0, share: 0 };
    entry.selfMs += us / 1000;
    functions.set(key, entry);
    const pkg = packageOf(url, functionName);
    const pkgEntry = packages.get(pkg) ?? { name: pkg, where: '', selfMs: 0, share: 0 };
    pkgEntry.selfMs += us / 1000;
    packages.set(pkg, pkgEntry);
  }
  const busyMs = (totalUs - idleUs) / 1000;
  const ranked = (entries: Iterable<ProfileEntry>) =>
    [...entries]
      .map((entry) => ({ ...entry, share: busyMs > 0 ? entry.selfMs / busyMs : 0 }))
      .sort((a, b) => b.selfMs - a.selfMs)
      .slice(0, top);
  return { totalMs: totalUs / 1000, idleMs: idleUs / 1000, functions: ranked(functions.values()), packages: ranked(packages.values()) };
}

export function profileMarkdown(summary: ProfileSummary, title: string): string {
  const busy = summary.totalMs - summary.idleMs;
  const lines = [
    `### ${title}`,
    '',
    `Busy ${(busy / 1000).toFixed(1)} s of ${(summary.totalMs / 1000).toFixed(1)} s profiled (${((busy / summary.totalMs) * 100).toFixed(0)}% of one core). Self time, share of busy time:`,
    '',
    '| self ms | share | function | where |',
    '| ---: | ---: | --- | --- |',
    ...summary.functions.map((entry) => `| ${entry.selfMs.toFixed(0)} | ${(entry.share * 100).toFixed(1)}% | \`${entry.name}\` | ${entry.where} |`),
    '',
    '| self ms | share | package |',
    '| ---: | ---: | --- |',
    ...summary.packages.map((entry) => `| ${entry.selfMs.toFixed(0)} | ${(entry.share * 100).toFixed(1)}% | ${entry.name} |`),
  ];
  return lines.join('\n');
}

if (require.main === module) {
  const { values, positionals } = parseArgs({ allowPositionals: true, options: { top: { type: 'string', default: '25' } } });
  if (!positionals[0]) {
    console.error('usage: tsx bench/profileSummary.ts <file.cpuprofile> [--top 25]');
    process.exit(2);
  }
  console.log(profileMarkdown(summarizeProfile(positionals[0], Number(values.top)), positionals[0]));
}
