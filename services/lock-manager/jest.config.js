module.exports = {
  ...require('../../jest.preset.js'),
  displayName: 'lock-manager',
  rootDir: __dirname,
};
