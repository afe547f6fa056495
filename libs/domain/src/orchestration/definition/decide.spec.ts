import { DomainError } from '../../shared/domain-error';
import { applyDefinition, definitionOf, definitionState, fixedContext, task } from '../orchestration.test-helper';
import { decideOrchestrationDefinition } from './decide';
import { initialOrchestrationDefinitionState } from './state';

const definition = definitionOf([task('import-hr'), task('recon', { taskType: 'RECONCILIATION' })]);

function errorOf(run: () => unknown): DomainError {
  try {
    run();
  } catch (error) {
    if (error instanceof DomainError) return error;
    throw error;
  }
  throw new Error('expected a DomainError');
}

describe('orchestration definition decider', () => {
  it('creates: the event carries the full definition in the standard envelope', () => {
    const [event] = decideOrchestrationDefinition({ type: 'create', definition }, initialOrchestrationDefinitionState, fixedContext('2025-01-01T00:00:00Z'));
    expect(event).toEqual({
      eventId: 'id-1',
      type: 'orchestration-definition.created',
      schemaVersion: 1,
      streamId: 'acme.orchestration-definition.nightly',
      tenant: 'acme',
      occurredAt: '2025-01-01T00:00:00.000Z',
      correlationId: 'corr-1',
      causationId: null,
      actor: 'user:alice',
      data: definition,
    });
  });

  it('refuses to create an existing id (ALREADY_EXISTS)', () => {
    expect(errorOf(() => applyDefinition(definitionState(definition), { type: 'create', definition })).code).toBe('ALREADY_EXISTS');
  });

  it('refuses an invalid definition with every {field, message} in details.errors', () => {
    const error = errorOf(() => applyDefinition(initialOrchestrationDefinitionState, { type: 'create', definition: { ...definition, orchestratedTasks: [] } }));
    expect(error.code).toBe('INVALID_ARGUMENT');
    expect(error.details.errors).toEqual([{ field: 'orchestratedTasks', message: 'must contain at least one task' }]);
  });

  it('updates with the full new definition', () => {
    const changed = { ...definition, name: 'Nightly v2' };
    const { events, state } = applyDefinition(definitionState(definition), { type: 'update', id: 'nightly', definition: changed });
    expect(events.map((event) => [event.type, event.data])).toEqual([['orchestration-definition.updated', changed]]);
    expect(state.definition).toEqual(changed);
    expect(state.version).toBe(2);
  });

  it('refuses to change the id in an update', () => {
    const error = errorOf(() => applyDefinition(definitionState(definition), { type: 'update', id: 'nightly', definition: { ...definition, id: 'other' } }));
    expect(error.code).toBe('INVALID_ARGUMENT');
  });

  it('deletes: the event carries the definition as it was', () => {
    const { events, state } = applyDefinition(definitionState(definition), { type: 'delete', id: 'nightly' });
    expect(events.map((event) => [event.type, event.data])).toEqual([['orchestration-definition.deleted', definition]]);
    expect(state.exists).toBe(false);
  });

  it('refuses to update or delete an unknown definition (NOT_FOUND)', () => {
    expect(errorOf(() => applyDefinition(initialOrchestrationDefinitionState, { type: 'update', id: 'nightly', definition })).code).toBe('NOT_FOUND');
    expect(errorOf(() => applyDefinition(initialOrchestrationDefinitionState, { type: 'delete', id: 'nightly' })).code).toBe('NOT_FOUND');
  });

  it('refuses to update or delete a deleted definition (NOT_FOUND), but lets its id be created again', () => {
    const { state: deleted } = applyDefinition(definitionState(definition), { type: 'delete', id: 'nightly' });
    expect(errorOf(() => applyDefinition(deleted, { type: 'update', id: 'nightly', definition })).code).toBe('NOT_FOUND');
    expect(errorOf(() => applyDefinition(deleted, { type: 'delete', id: 'nightly' })).code).toBe('NOT_FOUND');
    expect(applyDefinition(deleted, { type: 'create', definition }).state.exists).toBe(true);
  });
});
