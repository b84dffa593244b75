/** Report pages of made-up runs (no simulation): what the report tests, in jest and in Chromium, look at. */
import { htmlReport, type ReportRun } from '../../src/sim/report.js';

/**
 * A burst of 291 tasks that all reached RUNNING, scaled back to 3 at the end. ECS creates the tasks
 * (`demandVcpu`) only as room comes, minutes after they were asked for (`askedVcpu`).
 */
export function run(controller: string, scale: number, extra: Partial<ReportRun> = {}): ReportRun {
  return {
    controller,
    metrics: {
      tasksSubmitted: 291,
      tasksMoved: 0,
      tasksRunning: 291,
      tasksRunningAtEnd: 3,
      tasksNeverPlaced: controller === 'ecs-managed' ? 2 : 0,
      missingTaskSeconds: Math.round(67815 * scale),
      latencyP50: 60 * scale,
      latencyP95: 120 * scale,
      latencyMax: 140 * scale,
      allPlacedSeconds: 140 * scale,
      instanceHours: 10 * scale,
      cost: 2 * scale,
      unpricedInstanceHours: 0,
      scalingActions: 3,
      interruptedTasks: controller === 'ecs-managed' ? 18 : 0,
      lostTasks: 0,
      killedByScaleIn: 0,
    },
    series: Array.from({ length: 61 }, (_, m) => ({ minute: m, instances: 3 + Math.min(m, 20 * scale), capacityVcpu: 12 + 4 * Math.min(m, 20 * scale), demandVcpu: m >= 5 ? 80 : 4, askedVcpu: m >= 1 && m < 55 ? 80 : 4 })),
    ...extra,
  };
}

const RUNS = [
  run('ecs-pilot', 1, { label: 'ecs-pilot own', settings: { mode: 'own', targetCapacityPercent: 100 } }),
  // The run's own marker at the minute of the section's, under another name: one line, both labels.
  run('ecs-pilot', 1, { label: 'ecs-pilot own +consolidation', markers: [{ minute: 30, label: 'spot wave: 50 % of spot' }, { minute: 1, label: 'web 3 → 150' }] }),
  run('ecs-managed', 7.8, { label: 'ECS tuned', baseline: true }),
];
const MARKERS = [
  { minute: 1, label: 'api 3 → 100' },
  { minute: 1, label: 'worker 3 → 50' },
  { minute: 31, label: 'RunTask × 40' },
];

export const page = (): string => htmlReport('ecs-pilot vs ECS managed scaling', [{ scenario: 'burst', description: '300 tasks at once', results: RUNS, markers: MARKERS }], { version: '9.8.7', settings: { scenario: 'burst.yml', consolidation: true } });

/** The bench's page: six runs, ECS tuned the baseline though ECS defaults comes first, the store's runs again; then ten runs on one chart. */
export const benchPage = (): string => {
  const pilot = ['own', 'own +cons.', 'accelerate', 'accel. +cons.'].map((v, i) => run('ecs-pilot', 1 + i / 10, { label: `ecs-pilot ${v}` }));
  const results = [...pilot, run('ecs-managed', 9, { label: 'ECS defaults' }), run('ecs-managed', 7.8, { label: 'ECS tuned', baseline: true })];
  const stored = pilot.map((r, i) => ({ of: r, run: i === 1 ? { ...r, label: `${r.label} (store)`, metrics: { ...r.metrics, instanceHours: 11.5 } } : { ...r, label: `${r.label} (store)` } }));
  // The page as it was before issue 24: ten runs on one chart, whose legend wrapped over the plot.
  const ten = [...results, ...stored.map((s) => s.run)];
  return htmlReport('bench', [
    { scenario: 'burst', description: '300 tasks at once', results, markers: MARKERS, again: { condition: 'With the state store (as deployed)', runs: stored } },
    { scenario: 'ten runs', description: 'every run drawn', results: ten, markers: MARKERS },
  ]);
};
