import type { DomainEvent } from '../../shared/envelope';
import type { OrchestrationTaskDefinition } from './types';

/** Each event carries the whole definition, so a projection never has to merge partial updates. */
export interface OrchestrationDefinitionEventDataMap {
  'orchestration-definition.created': OrchestrationTaskDefinition;
  'orchestration-definition.updated': OrchestrationTaskDefinition;
  /** The definition as it was when deleted, for the audit trail. */
  'orchestration-definition.deleted': OrchestrationTaskDefinition;
}

export type OrchestrationDefinitionEventType = keyof OrchestrationDefinitionEventDataMap;

export const ORCHESTRATION_DEFINITION_EVENT_TYPES = [
  'orchestration-definition.created',
  'orchestration-definition.updated',
  'orchestration-definition.deleted',
] as const satisfies readonly OrchestrationDefinitionEventType[];

export type OrchestrationDefinitionEventOf<T extends OrchestrationDefinitionEventType> = DomainEvent<
  T,
  OrchestrationDefinitionEventDataMap[T]
>;

export type OrchestrationDefinitionEvent = {
  [T in OrchestrationDefinitionEventType]: OrchestrationDefinitionEventOf<T>;
}[OrchestrationDefinitionEventType];

export const isOrchestrationDefinitionEvent = (event: DomainEvent): event is OrchestrationDefinitionEvent =>
  (ORCHESTRATION_DEFINITION_EVENT_TYPES as readonly string[]).includes(event.type);
