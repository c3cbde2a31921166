import { GraphQLError, GraphQLScalarType, Kind } from 'graphql';

const DECIMAL_PATTERN = /^-?\d{1,10}(\.\d{1,2})?$/;

/** A Prisma Decimal, or anything else that prints itself with fixed decimals. */
interface FixedPoint {
  toFixed(digits: number): string;
}

function isFixedPoint(value: unknown): value is FixedPoint {
  return typeof value === 'object' && value !== null && typeof (value as FixedPoint).toFixed === 'function';
}

function parseDecimal(value: unknown): string {
  const text = typeof value === 'number' && Number.isInteger(value) ? String(value) : value;
  if (typeof text !== 'string' || !DECIMAL_PATTERN.test(text.trim())) {
    throw new GraphQLError(`Decimal must be a string of digits with at most 2 decimals, e.g. "39.90"; got ${JSON.stringify(value)}`);
  }
  return text.trim();
}

/**
 * Money is exact: stored as NUMERIC(12,2) and sent as a string with two
 * decimals, so no client ever sees a binary float such as 39.899999.
 */
export const DecimalScalar = new GraphQLScalarType<string, string>({
  name: 'Decimal',
  description: 'Exact decimal number, serialized as a string such as "39.90".',
  serialize(value) {
    if (isFixedPoint(value) && typeof value !== 'number') return value.toFixed(2);
    if (typeof value === 'string' && DECIMAL_PATTERN.test(value)) return fixTwo(value);
    throw new GraphQLError(`Decimal cannot represent ${JSON.stringify(value)}`);
  },
  parseValue: parseDecimal,
  parseLiteral(ast) {
    if (ast.kind === Kind.STRING || ast.kind === Kind.INT) return parseDecimal(ast.value);
    throw new GraphQLError('Decimal must be given as a string, e.g. "39.90"');
  },
});

// Pads a validated decimal string to two places without going through a float.
function fixTwo(value: string): string {
  const [whole, fraction = ''] = value.split('.');
  return `${whole}.${fraction.padEnd(2, '0')}`;
}

const ISO_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})$/;

function parseDateTime(value: unknown): Date {
  if (typeof value !== 'string' || !ISO_DATE_TIME.test(value) || Number.isNaN(Date.parse(value))) {
    throw new GraphQLError(`DateTime must be an ISO 8601 date-time with a time zone, e.g. "2027-06-30T00:00:00Z"; got ${JSON.stringify(value)}`);
  }
  return new Date(value);
}

export const DateTimeScalar = new GraphQLScalarType<Date, string>({
  name: 'DateTime',
  description: 'ISO 8601 date-time with time zone.',
  serialize(value) {
    if (value instanceof Date) return value.toISOString();
    if (typeof value === 'string') return parseDateTime(value).toISOString();
    throw new GraphQLError(`DateTime cannot represent ${JSON.stringify(value)}`);
  },
  parseValue: parseDateTime,
  parseLiteral(ast) {
    if (ast.kind === Kind.STRING) return parseDateTime(ast.value);
    throw new GraphQLError('DateTime must be given as a string');
  },
});
