import type { OrchestrationDefinitionEvent } from './events';
import type { OrchestrationDefinitionState } from './state';

export function evolveOrchestrationDefinition(
  state: OrchestrationDefinitionState,
  event: OrchestrationDefinitionEvent,
): OrchestrationDefinitionState {
  switch (event.type) {
    case 'orchestration-definition.created':
    case 'orchestration-definition.updated':
      return { exists: true, definition: event.data, version: state.version + 1, updatedAt: event.occurredAt };
    case 'orchestration-definition.deleted':
      return { exists: false, definition: null, version: state.version + 1, updatedAt: event.occurredAt };
    default: {
      const unexpected: never = event;
      throw new Error(`unknown orchestration definition event: ${(unexpected as { type: string }).type}`);
    }
  }
}
