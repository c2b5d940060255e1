/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/src', '<rootDir>/spec', '<rootDir>/client/src'],
  testMatch: ['**/*.spec.ts'],
  // One embedded Postgres for the run: the store and real-server specs run on it and on SQLite.
  globalSetup: '<rootDir>/spec/support/global-setup.ts',
  globalTeardown: '<rootDir>/spec/support/global-teardown.ts',
  transform: {
    '^.+\\.ts$': ['ts-jest', { tsconfig: { isolatedModules: true } }],
    // jose 6 and robust-predicates ship only ES modules; jest's CommonJS runtime needs them compiled.
    '^.+/node_modules/(jose|robust-predicates)/.+\\.js$': ['ts-jest', { tsconfig: { allowJs: true, isolatedModules: true } }],
  },
  transformIgnorePatterns: ['/node_modules/(?!(jose|robust-predicates)/)'],
};
