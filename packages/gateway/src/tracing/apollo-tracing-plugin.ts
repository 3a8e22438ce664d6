import type { ApolloServerPlugin } from '@apollo/server';
import { markOperationErrors, nameOperation } from './request-span.js';

/** Names the gateway's request span after the operation Apollo resolved, and marks its errors. */
export function apolloTracingPlugin(): ApolloServerPlugin {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ operation }) {
          nameOperation(operation);
        },
        async didEncounterErrors({ errors }) {
          markOperationErrors(errors);
        },
      };
    },
  };
}
