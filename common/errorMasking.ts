import type { GraphQLFormattedError } from 'graphql';
import { ApolloServerErrorCode, unwrapResolverError } from '@apollo/server/errors';
import { GraphQLError } from 'graphql';
import { ErrorCode, isPublicError } from './errors';

// Codes Apollo Server itself gives to request problems the client caused
// (parse and validation failures, bad variables); these messages are safe.
const REQUEST_ERROR_CODES = new Set<string>([
  ApolloServerErrorCode.GRAPHQL_PARSE_FAILED,
  ApolloServerErrorCode.GRAPHQL_VALIDATION_FAILED,
  ApolloServerErrorCode.BAD_USER_INPUT,
  ApolloServerErrorCode.BAD_REQUEST,
  ApolloServerErrorCode.PERSISTED_QUERY_NOT_FOUND,
  ApolloServerErrorCode.PERSISTED_QUERY_NOT_SUPPORTED,
  ApolloServerErrorCode.OPERATION_RESOLUTION_FAILURE,
]);

export type ErrorLogger = (err: unknown, formatted: GraphQLFormattedError) => void;

/**
 * Keeps errors that carry a public code and masks everything else as
 * INTERNAL_SERVER_ERROR with a fixed message: database errors, stack traces
 * and internal URLs never reach a client. The original goes to the log.
 */
export function maskErrors(log: ErrorLogger) {
  return (formatted: GraphQLFormattedError, err: unknown): GraphQLFormattedError => {
    const original = unwrapResolverError(err);
    const code = formatted.extensions?.code;
    const isRequestError = original instanceof GraphQLError && typeof code === 'string' && REQUEST_ERROR_CODES.has(code);
    if (isPublicError(original) || isRequestError) {
      const { stacktrace: _stack, ...extensions } = formatted.extensions ?? {};
      return { ...formatted, extensions };
    }
    log(original, formatted);
    return {
      message: 'Internal server error',
      locations: formatted.locations,
      path: formatted.path,
      extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR },
    };
  };
}
