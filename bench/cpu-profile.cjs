/**
 * Preloaded into each service by `BENCH_CPU_PROF=<dir> npm run bench -- jobs` (node refuses --cpu-prof in
 * NODE_OPTIONS): profiles from start-up and writes <dir>/<pid>.cpuprofile on SIGUSR2.
 */
const { Session } = require('node:inspector');
const { writeFileSync } = require('node:fs');
const { join } = require('node:path');

const session = new Session();
session.connect();
session.post('Profiler.enable', () => session.post('Profiler.setSamplingInterval', { interval: 500 }, () => session.post('Profiler.start')));
process.on('SIGUSR2', () => {
  session.post('Profiler.stop', (error, result) => {
    if (!error) writeFileSync(join(process.env.BENCH_CPU_PROF, `${process.argv[1].split('/').at(-3)}-${process.pid}.cpuprofile`), JSON.stringify(result.profile));
  });
});
