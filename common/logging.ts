import type { ApolloServerPlugin } from '@apollo/server';
import pino, { type Logger } from 'pino';
import { ConfigError, envString } from './environment';
import { ErrorCode, errorCode } from './errors';

export type { Logger } from 'pino';

const LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

/** LOG_LEVEL: fatal, error, warn, info (default), debug, trace or silent. */
export function logLevel(env: Record<string, string | undefined>): string {
  const level = envString(env, 'LOG_LEVEL', 'info');
  if (!LEVELS.includes(level)) throw new ConfigError('LOG_LEVEL', `must be one of ${LEVELS.join(', ')}; got "${level}"`);
  return level;
}

// Standard output, written in chunks of at least 4 KiB rather than one write
// per line (a line per request is otherwise a visible share of a busy
// process's CPU), and at least every half second, so a quiet process's lines
// still show up at once. Whatever is pending is written when the process exits.
let stdout: pino.DestinationStream | null = null;
function bufferedStdout(): pino.DestinationStream {
  if (!stdout) {
    const destination = pino.destination({ dest: 1, sync: false, minLength: 4096 });
    setInterval(() => {
      try {
        destination.flush();
      } catch {
        // not writable any more (the process is ending): nothing to flush to
      }
    }, 500).unref();
    stdout = destination;
  }
  return stdout;
}

/** JSON logs, one object a line; the level from LOG_LEVEL (info by default, silent in tests). */
export function createLogger(service: string, level: string, destination?: pino.DestinationStream): Logger {
  return pino({ level, base: { service }, timestamp: pino.stdTimeFunctions.isoTime }, destination ?? (level === 'silent' ? undefined : bufferedStdout()));
}

/** The header that carries the gateway's request id to the subgraphs' logs. */
export const REQUEST_ID_HEADER = 'x-request-id';

/** One log line per GraphQL request a subgraph answers, with the gateway's request id. */
export function requestLogPlugin<Context extends object>(log: Logger): ApolloServerPlugin<Context> {
  return {
    async requestDidStart({ request }) {
      const started = process.hrtime.bigint();
      return {
        async willSendResponse(context) {
          const codes = (context.errors ?? []).map((error) => errorCode(error, ErrorCode.INTERNAL_SERVER_ERROR));
          log.info({
            requestId: request.http?.headers.get(REQUEST_ID_HEADER) ?? undefined,
            operation: context.operationName ?? undefined,
            kind: context.operation?.operation,
            ms: Math.round(Number(process.hrtime.bigint() - started) / 1e6),
            errors: codes.length ? codes : undefined,
          });
        },
      };
    },
  };
}
