// HAProxy (Debian's package) in front of replicas, as a Kubernetes Service or
// an operator's load balancer stands in front of pods: one frontend per
// service on a loopback port, health checks on each replica's readiness
// endpoint, retries that move a request to another replica when one is gone.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './catalogHarness';
import { startProcess, waitForOk, type RunningProcess } from './processes';

export interface BalancedService {
  name: string;
  /** The loopback port the frontend listens on. */
  port: number;
  /** Path HAProxy checks on each replica: /ready for gateways, /health for subgraphs. */
  check: string;
  replicas: { name: string; port: number }[];
}

export interface Haproxy {
  process: RunningProcess;
  statsUrl: string;
  /** HAProxy's view of each replica: UP, DOWN, ... by service and replica name. */
  states(): Promise<Record<string, Record<string, string>>>;
  /** Resolves once HAProxy has the replica UP; returns how long that took. */
  waitUntilUp(service: string, replica: string, timeoutMs?: number): Promise<number>;
  stop(): Promise<void>;
}

/** The haproxy binary, or null when Debian's package is not installed. */
export function haproxyBinary(): string | null {
  for (const candidate of ['/usr/sbin/haproxy', '/usr/local/sbin/haproxy']) if (existsSync(candidate)) return candidate;
  try {
    return execFileSync('sh', ['-c', 'command -v haproxy'], { encoding: 'utf8' }).trim() || null;
  } catch {
    return null;
  }
}

/**
 * The configuration, and why each retry is safe here: reads are queries; the
 * only writes are the certification mutations, which carry the version they
 * expect (a replay after the first one committed is refused with CONFLICT,
 * never applied twice) or create under a uniqueness rule (a replay is refused
 * the same way). A 503 comes from a replica that is draining and did not run
 * the request.
 */
export function haproxyConfig(services: BalancedService[], statsPort: number): string {
  const lines = [
    'global',
    '  maxconn 4096',
    'defaults',
    '  mode http',
    '  timeout connect 500ms',
    '  timeout client 60s',
    '  timeout server 60s',
    '  timeout http-keep-alive 10s',
    '  timeout check 1s',
    // A connection refused (a killed replica), a connection closed before any
    // answer (killed mid-request), a draining replica's 503: try another replica.
    '  retries 3',
    '  option redispatch 1',
    '  retry-on conn-failure empty-response 503',
    '  default-server inter 500ms fastinter 250ms downinter 500ms rise 2 fall 2',
    'listen stats',
    `  bind 127.0.0.1:${statsPort}`,
    '  stats enable',
    '  stats uri /stats',
  ];
  for (const service of services) {
    lines.push(
      `frontend ${service.name}`,
      `  bind 127.0.0.1:${service.port}`,
      `  default_backend ${service.name}_replicas`,
      `backend ${service.name}_replicas`,
      '  balance roundrobin',
      `  option httpchk GET ${service.check}`,
      '  http-check expect status 200',
      ...service.replicas.map((replica) => `  server ${replica.name} 127.0.0.1:${replica.port} check`),
    );
  }
  return `${lines.join('\n')}\n`;
}

export async function startHaproxy(services: BalancedService[]): Promise<Haproxy> {
  const binary = haproxyBinary();
  if (!binary) throw new Error('haproxy is not installed: apt-get install -y haproxy');
  const dir = mkdtempSync(join(tmpdir(), 'rgg-haproxy-'));
  const statsPort = await freePort();
  const file = join(dir, 'haproxy.cfg');
  writeFileSync(file, haproxyConfig(services, statsPort));
  execFileSync(binary, ['-c', '-q', '-f', file]);
  // -db: stay in the foreground, so the process is the one to stop.
  const process = startProcess('haproxy', binary, ['-db', '-f', file], { cwd: dir, env: { PATH: '/usr/sbin:/usr/bin:/bin' } });
  const statsUrl = `http://127.0.0.1:${statsPort}/stats`;
  await waitForOk(statsUrl, process, 10_000);

  const states = async (): Promise<Record<string, Record<string, string>>> => {
    const csv = await (await fetch(`${statsUrl};csv`)).text();
    const [header, ...rows] = csv.trim().split('\n');
    const columns = header.replace(/^# /, '').split(',');
    const at = (name: string) => columns.indexOf(name);
    const result: Record<string, Record<string, string>> = {};
    for (const row of rows.map((line) => line.split(','))) {
      const backend = row[at('pxname')].replace(/_replicas$/, '');
      const server = row[at('svname')];
      if (server === 'FRONTEND' || server === 'BACKEND' || row[at('pxname')] === 'stats') continue;
      (result[backend] ??= {})[server] = row[at('status')];
    }
    return result;
  };
  return {
    process,
    statsUrl,
    states,
    async waitUntilUp(service, replica, timeoutMs = 60_000) {
      const started = Date.now();
      while (Date.now() - started < timeoutMs) {
        if ((await states())[service]?.[replica] === 'UP') return Date.now() - started;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      throw new Error(`HAProxy did not have ${service}/${replica} UP within ${timeoutMs} ms: ${JSON.stringify(await states())}`);
    },
    async stop() {
      await process.stop(5000);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
