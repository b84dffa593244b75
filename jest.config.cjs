/**
 * Tests in tiers (jest projects). `npm test` runs every tier (CI and the README use it); `npm run
 * test:<tier>` runs one (ECS_PILOT_TEST_TIERS=<tier>[,<tier>…] jest; paths and flags may follow:
 * `npm run test:unit -- test/core --watch`):
 * - unit: the pure core, events, config, handlers and aws against aws-sdk-client-mock, the state store
 *   against dynalite, the CLI — every test file not listed below, so a new file is in a tier by
 *   construction (test/tiers.test.ts fails when a unit file runs whole scenarios or packages). The
 *   inner loop: well under a minute on 2 cores.
 * - property: the fast-check properties that generate hundreds of cases (minutes of CPU on 2 cores).
 * - simulation: whole scenarios on the simulator (test/support/scenario-runs.ts shares a file's runs).
 * - packaging: what ships, built or run as shipped: `osls package` and what reads its template and
 *   bundles (test/serverless/packaged.ts packages once per change of the sources, under a lock: these
 *   files may run in parallel), and bin/ecs-pilot.mjs in its own process.
 * - browser: the HTML report in headless Chromium (skipped, with a warning, where chromium is missing).
 * Only the tiers with a state-store test start the DynamoDB-compatible server (dynalite): jest runs a
 * project's globalSetup only when one of its tests runs.
 * Tests are transformed by @swc/jest (no type check: `npm run typecheck` does that).
 */
const { TIERS } = require('./test/support/tiers.cjs');

const base = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  transform: {
    '^.+\\.(t|j)sx?$': ['@swc/jest', { jsc: { target: 'es2022', parser: { syntax: 'typescript' } }, module: { type: 'commonjs' } }],
  },
  transformIgnorePatterns: ['/node_modules/(?!@middy/)'],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  setupFiles: ['<rootDir>/test/setup.ts'],
  setupFilesAfterEnv: ['<rootDir>/test/setup-after-env.ts'],
};
// A DynamoDB-compatible server (dynalite) for the state-store tests, started once per run of the tier.
const dynalite = {
  globalSetup: '<rootDir>/test/support/dynalite-global-setup.ts',
  globalTeardown: '<rootDir>/test/support/dynalite-global-teardown.ts',
};
const listed = (files) => files.map((f) => `<rootDir>/${f}`);
const escape = (file) => `/${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`;

const projects = [
  { ...base, ...dynalite, displayName: 'unit', testMatch: ['**/*.test.ts'], testPathIgnorePatterns: ['/node_modules/', ...Object.values(TIERS).flat().map(escape)] },
  { ...base, ...dynalite, displayName: 'property', testMatch: listed(TIERS.property) },
  { ...base, displayName: 'simulation', testMatch: listed(TIERS.simulation) },
  { ...base, displayName: 'packaging', testMatch: listed(TIERS.packaging) },
  { ...base, displayName: 'browser', testMatch: listed(TIERS.browser) },
];

// `npm run test:<tier>` sets ECS_PILOT_TEST_TIERS (comma-separated) rather than passing --selectProjects,
// whose list would swallow the paths given after it (`npm run test:unit -- test/core`).
const chosen = process.env.ECS_PILOT_TEST_TIERS?.split(',').map((t) => t.trim()).filter(Boolean);
const unknown = chosen?.filter((t) => !projects.some((p) => p.displayName === t)) ?? [];
if (unknown.length > 0) throw new Error(`ECS_PILOT_TEST_TIERS: no tier ${unknown.join(', ')} (tiers: ${projects.map((p) => p.displayName).join(', ')})`);

module.exports = {
  testTimeout: 30000,
  // Every core: the tiers' files run side by side (jest's default keeps one core for itself).
  maxWorkers: '100%',
  projects: chosen ? projects.filter((p) => chosen.includes(p.displayName)) : projects,
};
