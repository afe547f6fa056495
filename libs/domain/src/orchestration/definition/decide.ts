import { DomainError } from '../../shared/domain-error';
import { type EventContext, makeEvent, streamIdOf } from '../../shared/envelope';
import type { OrchestrationDefinitionEvent } from './events';
import type { OrchestrationDefinitionState } from './state';
import type { OrchestrationTaskDefinition } from './types';
import { validateOrchestrationDefinition } from './validate';

export interface CreateOrchestrationDefinition {
  type: 'create';
  definition: unknown;
}

/** PUT semantics: the whole definition is replaced; its id must be the stream's. */
export interface UpdateOrchestrationDefinition {
  type: 'update';
  id: string;
  definition: unknown;
}

export interface DeleteOrchestrationDefinition {
  type: 'delete';
  id: string;
}

export type OrchestrationDefinitionCommand =
  | CreateOrchestrationDefinition
  | UpdateOrchestrationDefinition
  | DeleteOrchestrationDefinition;

export const orchestrationDefinitionStreamId = (tenant: string, id: string): string =>
  streamIdOf(tenant, 'orchestration-definition', id);

/**
 * Runs are not affected here: a run keeps the snapshot it started with, so an update made while a
 * run is going applies to the next run.
 */
export function decideOrchestrationDefinition(
  command: OrchestrationDefinitionCommand,
  state: OrchestrationDefinitionState,
  ctx: EventContext,
): OrchestrationDefinitionEvent[] {
  switch (command.type) {
    case 'create': {
      const definition = requireValid(command.definition);
      if (state.exists) {
        throw new DomainError('ALREADY_EXISTS', `orchestration definition ${definition.id} already exists`, {
          id: definition.id,
        });
      }
      return [
        makeEvent(ctx, orchestrationDefinitionStreamId(ctx.tenant, definition.id), 'orchestration-definition.created', definition),
      ];
    }
    case 'update': {
      const current = requireExisting(state, command.id);
      const definition = requireValid(command.definition);
      if (definition.id !== current.id) {
        throw new DomainError('INVALID_ARGUMENT', 'id: cannot change the id of a definition', {
          errors: [{ field: 'id', message: `must be ${current.id}, the id of the definition being updated` }],
        });
      }
      return [
        makeEvent(ctx, orchestrationDefinitionStreamId(ctx.tenant, current.id), 'orchestration-definition.updated', definition),
      ];
    }
    case 'delete': {
      const current = requireExisting(state, command.id);
      return [makeEvent(ctx, orchestrationDefinitionStreamId(ctx.tenant, current.id), 'orchestration-definition.deleted', current)];
    }
    default: {
      const unexpected: never = command;
      throw new Error(`unknown orchestration definition command: ${(unexpected as { type: string }).type}`);
    }
  }
}

function requireExisting(state: OrchestrationDefinitionState, id: string): OrchestrationTaskDefinition {
  if (!state.exists || state.definition === null) {
    throw new DomainError('NOT_FOUND', `no orchestration definition ${id}`, { id });
  }
  return state.definition;
}

/** Errors are listed in `details.errors` as `{field, message}` so the API can return them as they are. */
function requireValid(input: unknown): OrchestrationTaskDefinition {
  const errors = validateOrchestrationDefinition(input);
  if (errors.length > 0) {
    throw new DomainError(
      'INVALID_ARGUMENT',
      errors.map(({ field, message }) => `${field}: ${message}`).join('; '),
      { errors },
    );
  }
  return structuredClone(input) as OrchestrationTaskDefinition;
}
