import type { OrchestrationTaskDefinition } from './types';

export interface OrchestrationDefinitionState {
  /** False until created, and again after a delete: a deleted id may be created anew. */
  exists: boolean;
  definition: OrchestrationTaskDefinition | null;
  /** Counts updates; lets the API tell a client which version it read. */
  version: number;
  updatedAt: string | null;
}

export const initialOrchestrationDefinitionState: OrchestrationDefinitionState = {
  exists: false,
  definition: null,
  version: 0,
  updatedAt: null,
};
