// Unit and per-subgraph tests are *.test.ts; tests that start real processes,
// databases or a browser are *.e2e.ts (run apart with `npm run test:e2e`).
/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  // jose ships only ES modules: its files are compiled to CommonJS like the tests.
  transform: { '^.+\\.tsx?$': ['@swc/jest'], '/node_modules/jose/.+\\.js$': ['@swc/jest'] },
  transformIgnorePatterns: ['/node_modules/(?!jose/)'],
  testMatch: ['<rootDir>/test/**/*.test.ts', '<rootDir>/test/**/*.e2e.ts'],
  // The build output (npm run build) carries a copy of package.json.
  modulePathIgnorePatterns: ['<rootDir>/dist/'],
  // Tests, like npm start, ask for the development secrets (DEVELOPMENT_SECRETS=1),
  // and their gateways send no usage telemetry to Apollo.
  setupFiles: ['<rootDir>/test/support/developmentSecrets.ts', '<rootDir>/test/support/apolloTelemetry.ts'],
  testTimeout: 60000,
  maxWorkers: 2,
};
