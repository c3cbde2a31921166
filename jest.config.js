// The tests in their layers, one jest project each (npm run test:unit,
// test:graph, test:e2e; npm test runs them all):
//   unit   test/*.test.ts: one module or a few, no servers and no databases.
//   graph  test/subgraphs/*.test.ts, each subgraph alone through
//          server.executeOperation, and test/*Graph.test.ts, the composed graph
//          in process (test/support/catalogGraph.ts); PGlite in memory, no HTTP.
//   e2e    test/*.e2e.ts: real servers and processes on loopback ports,
//          PostgreSQL, Redis, the browser.
const common = {
  testEnvironment: 'node',
  // jose ships only ES modules: its files are compiled to CommonJS like the tests.
  transform: { '^.+\\.tsx?$': ['@swc/jest'], '/node_modules/jose/.+\\.js$': ['@swc/jest'] },
  transformIgnorePatterns: ['/node_modules/(?!jose/)'],
  // The build output (npm run build) carries a copy of package.json.
  modulePathIgnorePatterns: ['<rootDir>/dist/'],
  // Tests, like npm start, ask for the development secrets (DEVELOPMENT_SECRETS=1),
  // and their gateways send no usage telemetry to Apollo.
  setupFiles: ['<rootDir>/test/support/developmentSecrets.ts', '<rootDir>/test/support/apolloTelemetry.ts'],
};

/** @type {import('jest').Config} */
module.exports = {
  projects: [
    { ...common, displayName: 'unit', testMatch: ['<rootDir>/test/*.test.ts'], testPathIgnorePatterns: ['Graph\\.test\\.ts$'] },
    { ...common, displayName: 'graph', testMatch: ['<rootDir>/test/subgraphs/*.test.ts', '<rootDir>/test/*Graph.test.ts'] },
    { ...common, displayName: 'e2e', testMatch: ['<rootDir>/test/*.e2e.ts'] },
  ],
  // Run-wide settings: jest reads these at the top, not per project.
  testTimeout: 60000,
  maxWorkers: 2,
};
