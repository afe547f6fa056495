/**
 * The API's shapes come from the libraries that define them (type-only imports: nothing of them is
 * bundled), so the screens break at build time when the API changes.
 */
import type { TransitionNotice } from '@jobstream/messaging';

export type {
  DefinitionSummary as DefinitionRow,
  ExecutorView,
  JobHistoryEntry as HistoryEntry,
  JobPage,
  JobSummary,
  JobView,
} from '@jobstream/contracts';
export type {
  LockTableEntry as LockResource,
  OrchestrationRunReport as RunReport,
  OrchestrationTaskDefinition as OrchestrationDefinition,
} from '@jobstream/domain';

/** A notice from `GET /{tenant}/api/events`: the transition hint plus the aggregate it concerns. */
export interface Transition extends TransitionNotice {
  aggregate: string;
}
