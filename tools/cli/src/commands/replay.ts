import { join } from 'node:path';
import type { Command } from 'commander';
import { ReadModelRebuild, replayInto, replayOrchestrationRun, verifyReadModels, type Difference, type ReplayTarget } from '@jobstream/audit';
import type { Runtime } from '../runtime';
import { explicitTenant, progress, withLog, withScratch } from './audit-support';

interface ReplayFlags {
  job?: string;
  orchestration?: string;
  all?: boolean;
  until?: string;
  verify?: boolean;
  db?: string;
}

const show = (value: unknown) => (typeof value === 'string' && value.length > 120 ? `${value.slice(0, 117)}...` : JSON.stringify(value));

function describeDifference(d: Difference): string {
  const key = Object.values(d.key).join('/');
  if (d.kind !== 'changed') return `${d.table} ${key}: ${d.kind === 'missing-live' ? 'in the replay, missing from the live read model' : 'in the live read model, not in the replay'}`;
  return [`${d.table} ${key}:`, ...d.columns.map((c) => `  ${c.column}: live ${show(c.live)}  replayed ${show(c.replayed)}`)].join('\n');
}

export function replayCommand(program: Command, runtime: Runtime): void {
  program
    .command('replay')
    .description('replay the log through the projector`s projection code and print the state; --verify compares with the live read models')
    .option('--job <id>', 'one job')
    .option('--orchestration <id>', 'one orchestration run (instance)')
    .option('--all', 'every job and definition (the default)')
    .option('--until <iso>', 'only events that occurred at or before this instant')
    .option('--verify', 'rebuild the read models in a temporary SQLite and print every difference with the live ones (exit 1 on any)')
    .option('--db <path>', 'the live projector database for --verify (env PROJECTOR_DB, default .data/projector.sqlite)')
    .action(async (flags: ReplayFlags) => {
      const { config, print } = runtime();
      const targets = [flags.job, flags.orchestration, flags.all].filter((t) => t !== undefined);
      if (targets.length > 1) throw new Error('choose one of --job, --orchestration, --all');
      if (flags.verify && flags.until) throw new Error('--verify compares with the live read models, which have no --until');
      const target: ReplayTarget = flags.job ? { kind: 'job', id: flags.job } : flags.orchestration ? { kind: 'orchestration', id: flags.orchestration } : { kind: 'all' };
      const tenant = target.kind === 'all' ? explicitTenant(program) : config.tenant;

      if (target.kind === 'orchestration' && !flags.verify) {
        const result = await withLog((location) => replayOrchestrationRun(location, tenant as string, target.id, { until: flags.until }));
        if (result.events === 0) throw new Error(`no events for orchestration run ${tenant}/${target.id}${flags.until ? ' by then' : ''}`);
        print(config, result.state, () => `${tenant}/${target.id}: ${result.state.status} after ${result.events} events\n${JSON.stringify(result.state, null, 2)}`);
        return;
      }
      if (target.kind === 'orchestration') throw new Error('--verify covers the projector`s read models (jobs, definitions, counters), not orchestration runs');

      const bar = progress('replay');
      const barOptions = { onStart: (n: number) => bar.start(n), onProgress: (c: number, e: number) => bar.update(c, e) };
      await withScratch((dir) =>
        withLog(async (location) => {
          const rebuild = new ReadModelRebuild(join(dir, 'replay.sqlite'));
          try {
            if (flags.verify) {
              const live = flags.db ?? process.env.PROJECTOR_DB?.trim() ?? '.data/projector.sqlite';
              const result = await verifyReadModels(location, rebuild, live, { tenant, target, ...barOptions }).finally(() => bar.stop());
              print(config, result, () =>
                [
                  ...result.differences.map(describeDifference),
                  `${result.differences.length === 0 ? 'OK: identical' : `${result.differences.length} difference(s)`} at live position ${result.livePosition ?? 'none'} ` +
                    `(${result.replay.events} events replayed)`,
                ].join('\n'),
              );
              if (result.differences.length > 0) process.exitCode = 1;
              return;
            }
            const replayed = await replayInto(location, rebuild, { tenant, target, until: flags.until, ...barOptions }).finally(() => bar.stop());
            if (target.kind === 'job') {
              const row = rebuild.job(tenant as string, target.id);
              if (!row) throw new Error(`no events for job ${tenant}/${target.id}${flags.until ? ' by then' : ''}`);
              const state = JSON.parse(row.state) as unknown;
              print(config, state, () => `${row.job_id}  ${row.type}  ${row.status}  attempt ${row.attempt}  (${row.version} events, updated ${row.updated_at})\n${JSON.stringify(state, null, 2)}`);
              return;
            }
            const counts = rebuild.counts(tenant);
            const summary = { events: replayed.events, commits: replayed.commits, lastPosition: replayed.lastSeq, jobs: rebuild.rowCount('jobs'), definitions: rebuild.rowCount('job_definitions'), counts };
            print(config, summary, () =>
              [
                `${summary.jobs} jobs, ${summary.definitions} definitions from ${summary.events} events up to position ${summary.lastPosition}${flags.until ? ` (events until ${flags.until})` : ''}`,
                ...counts.map((c) => `  ${c.tenant}  ${c.type}  ${c.status}  ${c.n}`),
              ].join('\n'),
            );
          } finally {
            rebuild.close();
          }
        }),
      );
    });
}
