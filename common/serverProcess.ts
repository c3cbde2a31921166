import { ConfigError } from './environment';

export interface StoppableServer {
  url: string;
  close(): Promise<void>;
}

/**
 * Runs a server as its process's whole job: logs where it listens, and on
 * SIGINT or SIGTERM stops it (which drains in-flight requests) and exits. A
 * failure to start (a configuration error, thrown while the settings are
 * read or later) ends the process with one line: the message naming the
 * variable, never a stack trace an operator has to read through.
 *
 * Started by `npm start` or `npm run dev` (scripts/start.ts), the process
 * also stops when its parent dies without stopping it: the watcher of
 * `npm run dev` kills the parent outright when it does not exit in time, and
 * a server left behind would hold its port and its store.
 */
export function runServerProcess(service: Record<string, string>, start: () => Promise<StoppableServer & { describe?: Record<string, string> }>): void {
  if (process.connected) process.once('disconnect', () => process.kill(process.pid, 'SIGTERM'));
  Promise.resolve()
    .then(start)
    .then((server) => {
      console.log(JSON.stringify({ level: 'info', ...service, msg: 'listening', url: server.url, ...server.describe }));
      let stopping = false;
      const stop = () => {
        if (stopping) return;
        stopping = true;
        server.close().then(
          () => process.exit(0),
          (err: Error) => {
            console.error(err);
            process.exit(1);
          },
        );
      };
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    })
    .catch((err: Error) => {
      const name = Object.values(service)[0] ?? 'server';
      console.error(err instanceof ConfigError ? err.message : `${name} could not start: ${String(err?.message ?? err).split('\n')[0]}`);
      process.exit(1);
    });
}
