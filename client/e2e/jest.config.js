// Browser tests: the real server and headless Chromium (npm run test:e2e at the root).
/** @type {import('jest').Config} */
module.exports = {
  rootDir: __dirname,
  testEnvironment: 'node',
  testMatch: ['<rootDir>/**/*.e2e.ts'],
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: { isolatedModules: true, esModuleInterop: true } }] },
  // One server and browser at a time on a 2-core machine; each test has its own bound.
  maxWorkers: 1,
  testTimeout: 90_000,
};
