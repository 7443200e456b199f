/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: "node",
  // TypeScript as sucrase reads it (types stripped, imports to require, line numbers kept), as the child processes
  // load it: tsconfig's isolatedModules keeps every file compilable on its own, and `npm test`'s typecheck checks them.
  transform: { "^.+\\.ts$": "@sucrase/jest-plugin" },
  testMatch: ["<rootDir>/test/**/*.test.ts"],
  // The local durable host stands in for the module only the Functions worker provides.
  moduleNameMapper: { "^@azure/functions-core$": "<rootDir>/local/host/fakeCore.ts" },
  globalSetup: "<rootDir>/test/globalSetup.ts",
  globalTeardown: "<rootDir>/test/globalTeardown.ts",
  testTimeout: 60000,
  // 2-core CI machines: two workers keep Azurite and the simulators responsive.
  maxWorkers: 2,
  // Slowest files first, on a clean clone too (test/durations.json).
  testSequencer: "<rootDir>/test/sequencer.js",
  // The deployment package azd stages (scripts/package.js) repeats package.json: not part of the suite.
  modulePathIgnorePatterns: ["<rootDir>/.package/"],
};
