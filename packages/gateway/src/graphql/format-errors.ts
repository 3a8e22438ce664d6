import { GraphQLError, type GraphQLFormattedError } from 'graphql';

export type FormatError = (
  formatted: GraphQLFormattedError,
  error: unknown,
) => GraphQLFormattedError;

/** The HTTP status and headers that errors asked for through `extensions.http`. */
export interface ErrorsHttpHead {
  status: number | undefined;
  headers: Map<string, string>;
}

/**
 * Formats execution errors exactly as Apollo Server 5 does (`normalizeAndFormatErrors`, not part
 * of its public API): default code INTERNAL_SERVER_ERROR, `extensions.http` lifted into the HTTP
 * head, an optional stack trace, then the server's `formatError`. The query lane answers with
 * this, and a test holds its answers byte-equal to Apollo's.
 */
export function formatErrorsLikeApollo(
  errors: readonly unknown[],
  options: { formatError: FormatError; includeStacktrace: boolean },
): { errors: GraphQLFormattedError[]; http: ErrorsHttpHead } {
  const http: ErrorsHttpHead = { status: undefined, headers: new Map() };
  const enrich = (maybeError: unknown): GraphQLFormattedError => {
    const error = asGraphQLError(maybeError);
    // graphql-jit's errors (the query lane's) leave `extensions` undefined where graphql-js has {}.
    const extensions: Record<string, unknown> = {
      ...error.extensions,
      code: error.extensions?.code ?? 'INTERNAL_SERVER_ERROR',
    };
    const head = extensions.http;
    if (isHttpHead(head)) {
      if (head.status) http.status = head.status;
      for (const [name, value] of head.headers ?? []) http.headers.set(name, value);
      delete extensions.http;
    }
    if (options.includeStacktrace) extensions.stacktrace = error.stack?.split('\n');
    return { ...error.toJSON(), extensions };
  };
  return {
    http,
    errors: errors.map((error) => {
      try {
        return options.formatError(enrich(error), error);
      } catch (formattingError) {
        return options.includeStacktrace
          ? enrich(formattingError)
          : { message: 'Internal server error', extensions: { code: 'INTERNAL_SERVER_ERROR' } };
      }
    }),
  };
}

function asGraphQLError(maybeError: unknown): GraphQLError {
  const error =
    maybeError instanceof Error
      ? maybeError
      : new GraphQLError(`Unexpected error value: ${String(maybeError)}`);
  return error instanceof GraphQLError
    ? error
    : new GraphQLError(error.message, { originalError: error });
}

function isHttpHead(value: unknown): value is { status?: number; headers?: Map<string, string> } {
  if (!value || typeof value !== 'object') return false;
  const head = value as { status?: unknown; headers?: unknown };
  return (
    (!('status' in head) || typeof head.status === 'number') &&
    (!('headers' in head) || head.headers instanceof Map)
  );
}
