import {
  type DocumentNode,
  type ExecutionResult,
  GraphQLError,
  type GraphQLSchema,
  getOperationAST,
  NoSchemaIntrospectionCustomRule,
  type OperationDefinitionNode,
  parse,
  specifiedRules,
  validate,
} from 'graphql';
import { compileQuery, isCompiledQuery } from 'graphql-jit';
import { LRUCache } from 'lru-cache';
import type { QueryProtection } from './query-protection.js';

/** Longer documents are left to Apollo: real clients send a few hundred characters. */
const MAX_QUERY_LENGTH = 8_192;

/** Looked at, not for the lane: a bad document is parsed once, not on every request. */
const NOT_PREPARED = false;

/** A query operation ready to execute. */
export interface PreparedQuery {
  operation: OperationDefinitionNode;
  /** Runs the operation: no data at all means the variables did not coerce and no resolver ran. */
  execute(
    contextValue: unknown,
    variables: Record<string, unknown> | undefined,
  ): Promise<ExecutionResult> | ExecutionResult;
}

/** A validated document and its operations, each compiled on first use (null: it could not be). */
interface PreparedDocument {
  document: DocumentNode;
  // Keyed by the operation itself, not the client's operationName: bounded by the document.
  operations: Map<OperationDefinitionNode, PreparedQuery | null>;
}

/**
 * Query documents parsed and validated once, by their text: the query lane executes a known
 * document without Apollo's per-request pipeline. Only documents that pass every rule Apollo
 * applies (graphql-js's specified rules, the gateway's limits) and no introspection are kept;
 * anything else is `undefined`, for Apollo to answer with its own errors.
 *
 * Each operation is compiled with graphql-jit the first time it is asked for (~0.15 ms for ours),
 * which took ~15% off the CPU of a `sessionToken` answer (docs/benchmarks.md); one graphql-jit
 * cannot compile is left to Apollo. The query-lane test holds the answers to Apollo's, byte for
 * byte.
 */
export class PreparedQueries {
  readonly #schema: GraphQLSchema;
  readonly #protection: QueryProtection;
  readonly #documents = new LRUCache<string, PreparedDocument | typeof NOT_PREPARED>({ max: 256 });

  constructor(schema: GraphQLSchema, protection: QueryProtection) {
    this.#schema = schema;
    this.#protection = protection;
  }

  /** The query operation to execute, or `undefined` when Apollo must handle the request. */
  get(query: string, operationName: string | undefined): PreparedQuery | undefined {
    if (query.length > MAX_QUERY_LENGTH) return undefined;
    let document = this.#documents.get(query);
    if (document === undefined) {
      document = this.#prepare(query);
      this.#documents.set(query, document);
    }
    if (document === NOT_PREPARED) return undefined;
    const operation = getOperationAST(document.document, operationName);
    if (operation?.operation !== 'query') return undefined;
    let prepared = document.operations.get(operation);
    if (prepared === undefined) {
      prepared = this.#compile(document.document, operation, operationName);
      document.operations.set(operation, prepared);
    }
    return prepared ?? undefined;
  }

  #compile(
    document: DocumentNode,
    operation: OperationDefinitionNode,
    operationName: string | undefined,
  ): PreparedQuery | null {
    const compiled = compileQuery(this.#schema, document, operationName);
    // Not expected for a validated document; if it happens, Apollo answers it.
    if (!isCompiledQuery(compiled)) return null;
    return {
      operation,
      execute: (contextValue, variables) =>
        compiled.query(undefined, contextValue, variables ?? {}) as
          | Promise<ExecutionResult>
          | ExecutionResult,
    };
  }

  #prepare(query: string): PreparedDocument | typeof NOT_PREPARED {
    let document: DocumentNode;
    try {
      document = parse(query, this.#protection.parseOptions);
    } catch (error) {
      if (error instanceof GraphQLError) return NOT_PREPARED;
      throw error;
    }
    const rules = [
      ...specifiedRules,
      // Introspection is Apollo's to answer (or refuse, in production).
      NoSchemaIntrospectionCustomRule,
      ...this.#protection.validationRules,
    ];
    return validate(this.#schema, document, rules).length === 0
      ? { document, operations: new Map() }
      : NOT_PREPARED;
  }
}
