// The image's HEALTHCHECK: GET /health of the process the container runs,
// with node (slim images have no curl). Which process: the argument if given,
// else the container's main process, whose command line is
// `node scripts/entrypoint.js <command>` (read from /proc/1/cmdline). The
// port and host come from the same settings the process listens on.
//
//   node scripts/healthcheck.js [gateway|products|suppliers|certification|catalog]
import { readFileSync } from 'node:fs';
import { subgraphListenAddress } from '../common/subgraphProcess';
import { gatewayListenAddress } from '../gateway/config';
import { isImageCommand, type ImageCommand } from './entrypoint';

type Env = Record<string, string | undefined>;

/** The image command in a process's NUL-separated command line, or null when it is not the entry point's. */
export function commandOfCmdline(cmdline: string): ImageCommand | null {
  const args = cmdline.split('\0');
  const entry = args.findIndex((arg) => /(^|\/)entrypoint\.[jt]s$/.test(arg));
  const command = entry === -1 ? undefined : args[entry + 1];
  return isImageCommand(command) ? command : null;
}

/** Where the process behind `command` answers /health; null for a command that serves nothing (migrate). */
export function healthUrl(command: ImageCommand, env: Env): string | null {
  if (command === 'migrate') return null;
  // The catalog command starts the gateway last: it is up when the gateway is.
  const { host, port } = command === 'gateway' || command === 'catalog' ? gatewayListenAddress(env) : subgraphListenAddress(env, command);
  const reachable = host === '0.0.0.0' ? '127.0.0.1' : host === '::' ? '[::1]' : host.includes(':') ? `[${host}]` : host;
  return `http://${reachable}:${port}/health`;
}

async function main(): Promise<number> {
  const given = process.argv[2];
  const command = given === undefined ? commandOfCmdline(readFileSync('/proc/1/cmdline', 'latin1')) : isImageCommand(given) ? given : null;
  if (command === null) {
    console.error(
      given === undefined ? 'healthcheck: the main process is not the image entry point; name the command' : `healthcheck: unknown command "${given}"`,
    );
    return 2;
  }
  const url = healthUrl(command, process.env);
  if (url === null) return 0;
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(2000) });
    if (response.ok) return 0;
    console.error(`healthcheck: ${url} answered ${response.status}`);
  } catch (err) {
    console.error(`healthcheck: ${url}: ${(err as Error).message}`);
  }
  return 1;
}

if (require.main === module) void main().then((code) => process.exit(code));
