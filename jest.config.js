// `npm test` runs every project in one Jest invocation so workers are shared.
module.exports = {
  projects: ['<rootDir>/libs/*/jest.config.js', '<rootDir>/services/*/jest.config.js', '<rootDir>/tools/*/jest.config.js', '<rootDir>/test/jest.config.js'],
};
