import { GraphQLError, GraphQLScalarType, Kind } from 'graphql';

function toDate(value: unknown): Date {
  const date = value instanceof Date ? value : new Date(String(value));
  if (Number.isNaN(date.getTime())) throw new GraphQLError('DateTime must be an ISO-8601 string.');
  return date;
}

/**
 * `scalar DateTime`: ISO-8601 strings on the wire, `Date` in resolvers. No description, so the
 * served schema prints exactly as CONTRACT.md's SDL (where "ISO-8601 string" is a comment).
 */
export const DateTimeScalar = new GraphQLScalarType<Date, string>({
  name: 'DateTime',
  serialize: (value) => toDate(value).toISOString(),
  parseValue: (value) => {
    if (typeof value !== 'string') throw new GraphQLError('DateTime must be an ISO-8601 string.');
    return toDate(value);
  },
  parseLiteral: (ast) => {
    if (ast.kind !== Kind.STRING) throw new GraphQLError('DateTime must be an ISO-8601 string.');
    return toDate(ast.value);
  },
});
