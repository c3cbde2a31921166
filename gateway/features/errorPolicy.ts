import type { GraphQLError, GraphQLFormattedError, GraphQLSchema } from 'graphql';
import { unwrapResolverError } from '@apollo/server/errors';
import { maskErrors } from '../../common/errorMasking';
import { ErrorCode, PUBLIC_ERROR_CODES } from '../../common/errors';
import type { Logger as ProcessLogger } from '../../common/logging';
import { downstreamErrorPathsPlugin, fieldOwners, type FieldOwners } from './downstreamErrorPaths';
import type { GatewayFeature } from './types';

export type Logger = (entry: Record<string, unknown>) => void;

/**
 * The gateway's view of errors. Subgraph errors with a public code pass
 * through (with the gateway's `serviceName`); a subgraph failure without one
 * keeps Apollo's DOWNSTREAM_SERVICE_ERROR shape and the subgraph's name, but
 * never its message (which can hold internal URLs). Everything else is masked.
 * With `hideSuggestions` (production) no message suggests field, argument,
 * type or enum value names.
 */
export function gatewayErrorFormatter(log: Logger, options: { hideSuggestions?: boolean } = {}) {
  const format = formatter(log);
  if (!options.hideSuggestions) return format;
  return (formatted: GraphQLFormattedError, err: unknown): GraphQLFormattedError => withoutSuggestions(format(formatted, err));
}

// graphql-js ends validation and coercion messages with the names closest to
// a misspelt one ("Did you mean "products"?"): whoever probes learns the schema.
const SUGGESTION = / ?Did you mean [^?]*\?/g;

function withoutSuggestions(formatted: GraphQLFormattedError): GraphQLFormattedError {
  const message = formatted.message.replace(SUGGESTION, '');
  return message === formatted.message ? formatted : { ...formatted, message };
}

function formatter(log: Logger) {
  const mask = maskErrors((err, formatted) => log({ level: 'error', msg: 'masked error', err: String((err as Error)?.stack ?? err), path: formatted.path }));
  return (formatted: GraphQLFormattedError, err: unknown): GraphQLFormattedError => {
    const code = formatted.extensions?.code;
    const serviceName = formatted.extensions?.serviceName;
    if (typeof serviceName === 'string') {
      // A subgraph's own public error: its message was written for clients.
      if (typeof code === 'string' && PUBLIC_ERROR_CODES.has(code)) {
        // The gateway's own failure to get an answer (refused, unreachable): the cause is for the log only.
        const cause = (unwrapResolverError(err) as GraphQLError | undefined)?.originalError;
        if (code === ErrorCode.DOWNSTREAM_SERVICE_ERROR && cause) {
          log({ level: 'error', msg: 'subgraph failed', serviceName, detail: String(cause.message), path: formatted.path });
        }
        const { stacktrace: _stack, unavailableService, ...extensions } = formatted.extensions ?? {};
        // A subgraph that could not answer because another one did not (see
        // dependencyUnavailable): the client is told which one is missing.
        if (typeof unavailableService === 'string') extensions.serviceName = unavailableService;
        return { ...formatted, extensions };
      }
      log({ level: 'error', msg: 'subgraph failed', serviceName, detail: String(unwrapResolverError(err)), path: formatted.path });
      return {
        message: `The ${serviceName} subgraph could not answer.`,
        locations: formatted.locations,
        path: formatted.path,
        extensions: { code: ErrorCode.DOWNSTREAM_SERVICE_ERROR, serviceName },
      };
    }
    return mask(formatted, err);
  };
}

/**
 * What clients see of errors: masked unless public (gatewayErrorFormatter),
 * and a failed subgraph's error placed where its data is missing
 * (downstreamErrorPaths), read from the supergraph last loaded.
 */
export function errorPolicy(log: ProcessLogger, options: { hideSuggestions: boolean }): GatewayFeature {
  let apiSchema: GraphQLSchema | null = null;
  let owners: FieldOwners | null = null;
  return {
    name: 'error policy',
    apollo: { formatError: gatewayErrorFormatter((entry) => log.error(entry), options) },
    supergraphLoaded: (supergraph) => {
      apiSchema = supergraph.apiSchema;
      owners = fieldOwners(supergraph.coreSupergraphSdl);
    },
    plugins: [
      downstreamErrorPathsPlugin(
        () => apiSchema,
        () => owners,
      ),
    ],
  };
}
