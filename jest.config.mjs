// Jest runs the TypeScript sources as ESM through @swc/jest (see ../shared stack notes §6.3):
// the `.js` suffix of NodeNext imports is stripped so jest resolves the `.ts` file.
export default {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  transform: {
    '^.+\\.ts$': ['@swc/jest', { jsc: { target: 'es2022', parser: { syntax: 'typescript' } }, module: { type: 'es6' } }],
  },
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  testMatch: ['<rootDir>/test/**/*.test.ts'],
  // A hang cap only (tests wait for events, not for time): generous, so a loaded 2-core machine slows tests without failing them.
  testTimeout: 60000,
  setupFilesAfterEnv: ['<rootDir>/test/setup/fail-on-unhandled.ts'],
};
