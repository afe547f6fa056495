/**
 * `npm run bench`: runs every bench/*.bench.ts (or the ones named on the command line, e.g.
 * `npm run bench -- event-store`) and prints one table per measurement.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { BenchRow, formatTable } from '@jobstream/testing';

type Bench = () => Promise<{ title: string; rows: BenchRow[] }[]>;

async function main() {
  const wanted = process.argv.slice(2).filter((a) => !a.startsWith('-'));
  if (process.argv.includes('--help')) {
    console.log('usage: npm run bench [-- NAME ...]   names: ' + benchFiles().map((f) => f.replace('.bench.ts', '')).join(', '));
    return;
  }
  const files = benchFiles().filter((f) => wanted.length === 0 || wanted.some((w) => f.startsWith(w)));
  console.log(`# jobstream benchmarks (${new Date().toISOString()}, node ${process.version})`);
  for (const file of files) {
    const name = file.replace('.bench.ts', '');
    process.stderr.write(`running ${name}...\n`);
    const started = Date.now();
    const { bench } = (await import(join(__dirname, file))) as { bench: Bench };
    for (const table of await bench()) console.log(formatTable(table.title, table.rows));
    process.stderr.write(`${name} took ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
  }
}

function benchFiles(): string[] {
  return readdirSync(__dirname)
    .filter((f) => f.endsWith('.bench.ts'))
    .sort();
}

main().then(
  () => process.exit(0),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
