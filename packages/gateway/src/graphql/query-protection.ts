import type { ApolloServerPlugin } from '@apollo/server';
import { ApolloArmor } from '@escape.tech/graphql-armor';
import type { ParseOptions, ValidationRule } from 'graphql';

/**
 * Query limits sized for this schema: its deepest useful selection is
 * `submitCapsule { analyses { id } }` (depth 3) and a full query is ~40 tokens, so these leave
 * room for fragments and `__typename` while refusing depth, alias and size bombs early.
 */
export const QUERY_LIMITS = {
  maxDepth: 6,
  maxAliases: 4,
  maxDirectives: 10,
  maxTokens: 400,
  maxCost: 200,
} as const;

/** What every way into the schema (Apollo, the query lane) parses and validates with. */
export interface QueryProtection {
  parseOptions: ParseOptions;
  /** Added to graphql-js's specified rules. */
  validationRules: ValidationRule[];
  /** graphql-armor's Apollo plugins (none with the limits above, kept for completeness). */
  plugins: ApolloServerPlugin[];
}

export function createQueryProtection(production: boolean): QueryProtection {
  const armor = new ApolloArmor({
    maxDepth: { n: QUERY_LIMITS.maxDepth, ignoreIntrospection: !production },
    maxAliases: { n: QUERY_LIMITS.maxAliases },
    maxDirectives: { n: QUERY_LIMITS.maxDirectives },
    // Token counting is graphql-js's own `parseOptions.maxTokens` below: armor's version throws
    // from a plugin hook, which Apollo answers with HTTP 500 instead of 400.
    maxTokens: { enabled: false },
    costLimit: { maxCost: QUERY_LIMITS.maxCost, ignoreIntrospection: !production },
    // Apollo itself hides suggestions in production (hideSchemaDetailsFromClientErrors and
    // ApolloServerPluginDisableSuggestions); armor's copy would be a third pass per request.
    blockFieldSuggestion: { enabled: false },
  }).protect();
  return {
    // Introspection in development needs far more tokens than real operations.
    parseOptions: { maxTokens: production ? QUERY_LIMITS.maxTokens : 4000 },
    validationRules: armor.validationRules,
    // graphql-armor's typings point at Apollo's CJS build; the objects are the same plugins.
    plugins: armor.plugins as unknown as ApolloServerPlugin[],
  };
}
