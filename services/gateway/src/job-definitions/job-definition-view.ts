import type { JobDefinitionState, JobDefinitionStatus } from '@jobstream/domain';
import type { DefinitionLinks, JobDefinitionView } from '@jobstream/contracts';

export const definitionLinksOf = (tenant: string, definitionId: string): DefinitionLinks => {
  const self = `/${tenant}/api/job-definitions/${definitionId}`;
  return { self, start: `${self}/~start`, stop: `${self}/~stop` };
};

export function toDefinitionView(s: JobDefinitionState): JobDefinitionView {
  const definitionId = s.definitionId as string;
  return {
    definitionId,
    name: s.name,
    description: s.description,
    type: s.type,
    configuration: s.configuration,
    schedule: s.schedule,
    enabled: s.enabled,
    status: s.status as JobDefinitionStatus,
    lastRunResult: s.lastRunResult,
    lastRunTime: s.lastRunTime,
    nextRunTime: s.nextRunTime,
    activeOnHost: s.activeOnHost,
    currentJobId: s.currentJobId,
    stopRequested: s.stopRequested,
    pendingChange: s.pendingChange,
    suspendedReason: s.suspendedReason,
    createdAt: s.createdAt,
    updatedAt: s.updatedAt,
    version: s.version,
    links: definitionLinksOf(s.tenant as string, definitionId),
  };
}
