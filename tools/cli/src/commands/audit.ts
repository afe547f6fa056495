import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import type { Command } from 'commander';
import { DEFAULT_CHECKPOINT_EVERY, exportEvents, verifyLog, writeCheckpoints, type Finding } from '@jobstream/audit';
import type { Runtime } from '../runtime';
import { explicitTenant, progress, withLog } from './audit-support';

const describeFinding = (f: Finding) =>
  `${f.kind.toUpperCase()}  ${f.streamId}  revision ${f.revision ?? '?'}  position ${f.position}${f.eventId ? `  event ${f.eventId}` : ''}: ${f.detail}`;

export function auditCommand(program: Command, runtime: Runtime): void {
  const audit = program.command('audit').description('tamper evidence: verify the hash chains, record checkpoints, export for third parties');

  audit
    .command('verify')
    .description('walk the log from the start and report every edited, removed, reordered or inserted event (exit 1 on any)')
    .action(async () => {
      const { config, print } = runtime();
      const tenant = explicitTenant(program);
      const bar = progress('verify');
      const report = await withLog((location) =>
        verifyLog(location, { tenant, onStart: (n) => bar.start(n), onProgress: (n) => bar.update(n, undefined) }),
      ).finally(() => bar.stop());
      print(config, report, () =>
        [
          ...report.findings.map(describeFinding),
          `${report.findings.length === 0 ? 'OK' : `${report.findings.length} finding(s)`}: ${report.events} events in ${report.commits} commits up to position ${report.lastSeq}, ${report.checkpoints} checkpoint(s) checked${tenant ? ` (tenant ${tenant})` : ''}`,
        ].join('\n'),
      );
      if (report.findings.length > 0) process.exitCode = 1;
    });

  audit
    .command('checkpoint')
    .description(`record running-hash checkpoints up to the end of the log (one per --every events and one at the end)`)
    .option('--every <n>', 'events between checkpoints', String(DEFAULT_CHECKPOINT_EVERY))
    .action(async (options: { every: string }) => {
      const { config, print } = runtime();
      const every = Number(options.every);
      if (!Number.isInteger(every) || every < 1) throw new Error('--every must be a positive integer');
      const runs = await withLog(async (location, store) => {
        const tenants = explicitTenant(program) ? [explicitTenant(program) as string] : await tenantsOf(location);
        const out = [];
        for (const tenant of tenants) out.push(await writeCheckpoints(await store(), location, tenant, { every, actor: 'cli:audit' }));
        return out;
      });
      print(config, runs, () =>
        runs
          .map((r) => {
            const last = r.written[r.written.length - 1];
            return last ? `${r.tenant}: ${r.written.length} checkpoint(s), last at position ${last.position} after ${last.count} events: ${last.runningHash}` : `${r.tenant}: up to date`;
          })
          .join('\n') || 'no tenants in the log',
      );
    });

  audit
    .command('export')
    .description('write a tenant`s events with their hashes as NDJSON, one per line, for a third party to verify (docs/audit.md)')
    .requiredOption('--from <iso>', 'first instant (occurredAt, inclusive)')
    .requiredOption('--to <iso>', 'last instant (occurredAt, exclusive)')
    .option('--out <file>', 'write here instead of stdout')
    .action(async (options: { from: string; to: string; out?: string }) => {
      const { config } = runtime();
      const tenant = explicitTenant(program) ?? config.tenant;
      const file = options.out ? createWriteStream(options.out) : undefined;
      const sink = file ?? process.stdout;
      const bar = progress('export');
      const result = await withLog((location) =>
        exportEvents(location, {
          tenant,
          from: options.from,
          to: options.to,
          onStart: (n) => bar.start(n),
          onProgress: (n) => bar.update(n),
          write: async (lines) => {
            if (!sink.write(lines)) await once(sink, 'drain');
          },
        }),
      ).finally(() => bar.stop());
      if (file) {
        file.end();
        await once(file, 'finish');
      }
      process.stderr.write(`exported ${result.events} events of ${tenant} up to position ${result.lastSeq}\n`);
    });
}

/** Tenants are the first token of the stream ids present in the log. */
async function tenantsOf(location: import('@jobstream/audit').LogLocation): Promise<string[]> {
  const jsm = await location.nc.jetstreamManager();
  const info = await jsm.streams.info(location.streamName, { subjects_filter: `${location.subjectPrefix}.>` });
  const tenants = new Set<string>();
  for (const subject of Object.keys(info.state.subjects ?? {})) tenants.add(subject.slice(location.subjectPrefix.length + 1).split('.')[0]);
  return [...tenants].sort();
}
