/** A report page of three made-up runs (no simulation): what the report tests, in jest and in Chromium, look at. */
import { htmlReport, type ReportRun } from '../../src/sim/report.js';

export function run(controller: string, scale: number, extra: Partial<ReportRun> = {}): ReportRun {
  return {
    controller,
    metrics: { tasksSubmitted: 300, tasksMoved: 0, tasksRunning: 300, latencyP50: 60 * scale, latencyP95: 120 * scale, latencyMax: 140 * scale, allPlacedSeconds: 140 * scale, instanceHours: 10 * scale, cost: 2 * scale, scalingActions: 3, interruptedTasks: controller === 'ecs-managed' ? 18 : 0, lostTasks: 0, killedByScaleIn: 0 },
    series: Array.from({ length: 61 }, (_, m) => ({ minute: m, instances: 3 + Math.min(m, 20 * scale), capacityVcpu: 12 + 4 * Math.min(m, 20 * scale), demandVcpu: m >= 1 ? 80 : 4 })),
    ...extra,
  };
}

const RUNS = [
  run('ecs-pilot', 1, { label: 'ecs-pilot own', settings: { mode: 'own', targetCapacityPercent: 100 } }),
  run('ecs-pilot', 1, { label: 'ecs-pilot own +consolidation', markers: [{ minute: 30, label: 'spot wave: 50 % of spot' }] }),
  run('ecs-managed', 7.8, { label: 'ECS tuned' }),
];
const MARKERS = [{ minute: 1, label: 'services scaled' }];

export const page = (): string => htmlReport('ecs-pilot vs ECS managed scaling', [{ scenario: 'burst', description: '300 tasks at once', results: RUNS, markers: MARKERS }], { version: '9.8.7', settings: { scenario: 'burst.yml', consolidation: true } });
