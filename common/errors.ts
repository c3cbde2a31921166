import { GraphQLError } from 'graphql';

/**
 * The one registry of error codes clients see in `extensions.code`. Resolvers
 * build errors through these functions and never invent codes inline, so the
 * set of codes a partner has to handle stays closed and documented.
 */
export const ErrorCode = {
  BAD_USER_INPUT: 'BAD_USER_INPUT',
  UNAUTHENTICATED: 'UNAUTHENTICATED',
  FORBIDDEN: 'FORBIDDEN',
  NOT_FOUND: 'NOT_FOUND',
  CONFLICT: 'CONFLICT',
  INELIGIBLE: 'INELIGIBLE',
  INTERNAL_SERVER_ERROR: 'INTERNAL_SERVER_ERROR',
  // Refusals by the gateway before any subgraph is called.
  QUERY_TOO_COMPLEX: 'QUERY_TOO_COMPLEX',
  RATE_LIMITED: 'RATE_LIMITED',
  PERSISTED_QUERY_NOT_ALLOWED: 'PERSISTED_QUERY_NOT_ALLOWED',
  REQUEST_TOO_LARGE: 'REQUEST_TOO_LARGE',
  DOWNSTREAM_SERVICE_ERROR: 'DOWNSTREAM_SERVICE_ERROR',
  // A process draining on SIGTERM answers new requests with it (HTTP 503).
  SERVICE_UNAVAILABLE: 'SERVICE_UNAVAILABLE',
} as const;

export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

export const PUBLIC_ERROR_CODES: ReadonlySet<string> = new Set(Object.values(ErrorCode));

function error(code: ErrorCode, message: string, extra: Record<string, unknown> = {}): GraphQLError {
  return new GraphQLError(message, { extensions: { code, ...extra } });
}

/** Bad input: the message says what is wrong, `field` names the argument. */
export function badUserInput(field: string, message: string): GraphQLError {
  return error(ErrorCode.BAD_USER_INPUT, `${field}: ${message}`, { field });
}

export function unauthenticated(message = 'A valid bearer token is required.'): GraphQLError {
  return error(ErrorCode.UNAUTHENTICATED, message);
}

export function forbidden(message: string): GraphQLError {
  return error(ErrorCode.FORBIDDEN, message);
}

export function notFound(message: string): GraphQLError {
  return error(ErrorCode.NOT_FOUND, message);
}

export function conflict(message: string): GraphQLError {
  return error(ErrorCode.CONFLICT, message);
}

export function ineligible(message: string, reasons: string[]): GraphQLError {
  return error(ErrorCode.INELIGIBLE, message, { reasons });
}

/** A process draining on SIGTERM refuses new requests with it (HTTP 503). */
export function serviceUnavailable(message: string): GraphQLError {
  return error(ErrorCode.SERVICE_UNAVAILABLE, message);
}

/**
 * A fact the answer needs belongs to another subgraph, which could not give
 * it (it reached this subgraph as null): the answer is unknown, never a
 * guess. The gateway reports it as that subgraph's DOWNSTREAM_SERVICE_ERROR.
 */
export function dependencyUnavailable(serviceName: string, message: string): GraphQLError {
  return error(ErrorCode.DOWNSTREAM_SERVICE_ERROR, message, { unavailableService: serviceName });
}

/** The code an error carries in `extensions.code`; `fallback` for an error that has none. */
export function errorCode(error: { readonly extensions?: { readonly [key: string]: unknown } }, fallback: string): string {
  const code = error.extensions?.code;
  return typeof code === 'string' ? code : fallback;
}

export function isPublicError(err: unknown): err is GraphQLError {
  return err instanceof GraphQLError && typeof err.extensions?.code === 'string' && PUBLIC_ERROR_CODES.has(err.extensions.code as string);
}

const MAX_REASON_LENGTH = 500;

/** A staff decision's reason, trimmed: required (it goes into a history) and at most 500 characters. */
export function staffReason(reason: string, history: string): string {
  const trimmed = reason.trim();
  if (trimmed.length === 0) throw badUserInput('reason', `must say why (it goes into the ${history} history)`);
  if (trimmed.length > MAX_REASON_LENGTH) throw badUserInput('reason', `at most ${MAX_REASON_LENGTH} characters, got ${trimmed.length}`);
  return trimmed;
}
