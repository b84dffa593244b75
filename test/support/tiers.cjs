/**
 * The test files of every tier but unit (jest.config.cjs describes the tiers; unit is every other test
 * file). Paths from the repository root.
 */
const TIERS = {
  property: ['test/core/capacity/planner.property.test.ts', 'test/core/capacity/fallback.property.test.ts', 'test/state/decision-bound.property.test.ts', 'test/state/store-property.test.ts'],
  simulation: [
    'test/sim/scenarios.test.ts',
    'test/sim/ecs-model.test.ts',
    'test/sim/state-events.test.ts',
    'test/sim/modes.property.test.ts',
    'test/sim/shortage.property.test.ts',
    'test/sim/spot-reclaim.test.ts',
    'test/cli/simulate-store.test.ts',
    'test/sim/faults-invariants.test.ts',
    'test/sim/faults-determinism.test.ts',
    'test/sim/faults.property.test.ts',
    'test/sim/faults-cli.test.ts',
    'test/sim/runtask-burst.test.ts',
    'test/sim/report-metrics.test.ts',
  ],
  packaging: ['test/serverless/template.test.ts', 'test/serverless/iam.test.ts', 'test/serverless/bundle-names.test.ts', 'test/serverless/packaging.test.ts', 'test/cli/bin.test.ts'],
  browser: ['test/sim/report-browser.test.ts'],
};

module.exports = { TIERS };
