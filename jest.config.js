// `npm test` runs every project in one Jest invocation so workers are shared.
module.exports = {
  projects: ['<rootDir>/libs/*/jest.config.js', '<rootDir>/services/*/jest.config.js', '<rootDir>/tools/*/jest.config.js', '<rootDir>/test/jest.config.js'],
  // Read from here when the projects run together (jest.preset.js sets it for one project's run).
  testTimeout: 30_000,
};
