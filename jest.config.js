/**
 * One jest run, five projects: `npm test` runs them all; `npm run test:fast` runs unit and infra alone
 * (no moto server, no workflow run), in well under a minute.
 *
 * Every project transforms the same way. middy 5+ ships ES modules only, behind an `import`-only exports
 * map that jest's CommonJS resolver does not follow: map the package names to their entry files, and let
 * ts-jest (allowJs) turn them into CommonJS.
 *
 * @type {import('jest').Config}
 */
const shared = {
  testEnvironment: 'node',
  transform: { '^.+\\.[tj]s$': ['ts-jest', { tsconfig: 'tsconfig.json' }] },
  transformIgnorePatterns: ['node_modules/(?!(@middy)/)'],
  moduleNameMapper: { '^@middy/([a-z-]+)$': '<rootDir>/node_modules/@middy/$1/index.js' },
  setupFiles: ['<rootDir>/test/setup/env.ts'],
  setupFilesAfterEnv: ['aws-sdk-client-mock-jest'],
};

const project = (displayName, roots) => ({
  ...shared,
  displayName,
  roots: roots.map((root) => `<rootDir>/test/${root}`),
  testMatch: ['**/*.test.ts'],
});

/** @type {import('jest').Config} */
module.exports = {
  projects: [
    // Pure code, the SDK mocked with aws-sdk-client-mock.
    project('unit', ['unit']),
    // The CDK app: assertions on the synthesized template, cdk-nag.
    project('infra', ['infra']),
    // Store, drivers and CLI against a moto server (AWS faked at the protocol level).
    project('integration', ['integration', 'cli']),
    // The real ASL run locally with the real handlers, moto behind them; the bench harness at tiny sizes.
    project('workflow', ['workflow', 'property', 'bench']),
    // npm start and npm run simulate, as a user runs them.
    project('e2e', ['e2e']),
  ],
  // One moto server per jest worker, started once for the whole run; each test file resets it.
  globalSetup: '<rootDir>/test/setup/moto-servers.ts',
  globalTeardown: '<rootDir>/test/setup/moto-servers-teardown.ts',
  testTimeout: 60_000,
  // Two files at a time even on two cores (jest would take one): most of a file's time is spent waiting
  // on moto and on the local workflows' waits, not on the CPU. Each worker has its own moto server.
  maxWorkers: 2,
};
