import type { EventContext } from '../shared/envelope';
import { decideOrchestrationDefinition, type OrchestrationDefinitionCommand } from './definition/decide';
import { evolveOrchestrationDefinition } from './definition/evolve';
import { initialOrchestrationDefinitionState, type OrchestrationDefinitionState } from './definition/state';
import type { OrchestratedTask, OrchestrationTaskDefinition } from './definition/types';
import { decideOrchestrationRun, type OrchestrationRunCommand } from './run/decide';
import type { OrchestrationRunEvent } from './run/events';
import { evolveOrchestrationRun } from './run/evolve';
import { initialOrchestrationRunState, type OrchestrationRunState } from './run/state';

export function fixedContext(now: string, prefix = 'id'): EventContext {
  let next = 0;
  return {
    tenant: 'acme',
    now: new Date(now),
    newId: () => `${prefix}-${++next}`,
    actor: 'user:alice',
    correlationId: 'corr-1',
    causationId: null,
  };
}

export const task = (taskId: string, extra: Partial<OrchestratedTask> = {}): OrchestratedTask => ({
  taskId,
  taskType: 'IMPORT',
  ...extra,
});

export const definitionOf = (
  orchestratedTasks: OrchestratedTask[],
  extra: Partial<OrchestrationTaskDefinition> = {},
): OrchestrationTaskDefinition => ({ id: 'nightly', name: 'Nightly', orchestratedTasks, ...extra });

export function definitionState(definition: OrchestrationTaskDefinition): OrchestrationDefinitionState {
  return decideOrchestrationDefinition({ type: 'create', definition }, initialOrchestrationDefinitionState, fixedContext('2025-01-01T00:00:00Z'))
    .reduce(evolveOrchestrationDefinition, initialOrchestrationDefinitionState);
}

export function applyDefinition(state: OrchestrationDefinitionState, command: OrchestrationDefinitionCommand, now = '2025-01-02T00:00:00Z') {
  const events = decideOrchestrationDefinition(command, state, fixedContext(now));
  return { events, state: events.reduce(evolveOrchestrationDefinition, state) };
}

/** Drives one run through commands, each at its own fixed time. */
export class RunHarness {
  state: OrchestrationRunState = initialOrchestrationRunState;
  history: OrchestrationRunEvent[] = [];
  private commands = 0;

  constructor(private readonly definition: OrchestrationTaskDefinition) {}

  start(now: string): OrchestrationRunEvent[] {
    return this.send({ type: 'start', runId: 'run-1', definition: definitionState(this.definition) }, now);
  }

  /** Finishes the task that is running. */
  finish(now: string, outcome: 'SUCCESS' | 'PARTIAL' | 'FAILED', objects = { processed: 10, succeeded: 10, failed: 0 }) {
    const index = this.state.tasks.findIndex((task) => task.status === 'RUNNING');
    if (index < 0) throw new Error('no task is running');
    return this.send({ type: 'taskFinished', index, jobId: this.state.tasks[index].jobId ?? '', outcome, objects }, now);
  }

  send(command: OrchestrationRunCommand, now: string): OrchestrationRunEvent[] {
    const events = decideOrchestrationRun(command, this.state, fixedContext(now, `c${++this.commands}`));
    this.history.push(...events);
    this.state = events.reduce(evolveOrchestrationRun, this.state);
    return events;
  }

  types(events: OrchestrationRunEvent[]): string[] {
    return events.map((event) => event.type);
  }
}
