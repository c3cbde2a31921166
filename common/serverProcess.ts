import { ConfigError } from './environment';

export interface StoppableServer {
  url: string;
  close(): Promise<void>;
}

/**
 * Runs a server as its process's whole job: logs where it listens, and on
 * SIGINT or SIGTERM stops it (which drains in-flight requests) and exits. A
 * configuration error ends the process with the message naming the variable.
 */
export function runServerProcess(service: Record<string, string>, start: () => Promise<StoppableServer & { describe?: Record<string, string> }>): void {
  start()
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
      console.error(err instanceof ConfigError ? err.message : err);
      process.exit(1);
    });
}
