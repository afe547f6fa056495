// Shared by every project: SWC transpiles (type checking is the build's job), and
// workspace imports resolve to library sources so tests never need a prior build.
const { readFileSync } = require('node:fs');
const { join } = require('node:path');

const swcrc = JSON.parse(readFileSync(join(__dirname, '.swcrc'), 'utf8'));
const libs = ['auth', 'contracts', 'domain', 'event-store', 'messaging', 'testing', 'projections', 'audit'];

module.exports = {
  testEnvironment: 'node',
  // Many suites run real nats-server and SQLite; 5 s is too tight for a loaded 2-core machine. Waits stay bounded.
  testTimeout: 30_000,
  setupFiles: ['reflect-metadata', join(__dirname, 'jest.auth-off.js')],
  transform: { '^.+\\.ts$': ['@swc/jest', { ...swcrc, swcrc: false }], '/node_modules/jose/.+\\.js$': ['@swc/jest', { ...swcrc, swcrc: false }] },
  // jose ships ES modules only; Jest on Node 20 cannot require them untransformed.
  transformIgnorePatterns: ['/node_modules/(?!jose/)'],
  moduleFileExtensions: ['ts', 'js', 'json'],
  moduleNameMapper: Object.fromEntries(
    libs.map((lib) => [`^@jobstream/${lib}$`, join(__dirname, 'libs', lib, 'src', 'index.ts')]),
  ),
  testMatch: ['<rootDir>/src/**/*.spec.ts', '<rootDir>/test/**/*.spec.ts'],
};
