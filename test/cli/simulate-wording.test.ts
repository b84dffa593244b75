import { renderResult } from '../../src/cli/simulate-command.js';
import type { SimulationResult } from '../../src/sim/run.js';

const result = (allPlacedSeconds: number, latencyMax: number): SimulationResult =>
  ({
    scenario: 's',
    controller: 'ecs-pilot',
    series: [],
    metrics: { tasksSubmitted: 1, tasksRunning: 1, tasksNeverPlaced: 0, tasksMoved: 0, missingTaskSeconds: 0, latencyP50: 1, latencyP95: 1, latencyMax, allPlacedSeconds, instanceHours: 1, cost: 1, scalingActions: 0, interruptedTasks: 0, lostTasks: 0, killedByScaleIn: 0, controllerErrors: 0 },
  }) as unknown as SimulationResult;

describe('simulate: what "all placed" means', () => {
  it('a burst: the last task RUNNING after the first submission', () => {
    expect(renderResult(result(240, 240))).toContain('last task RUNNING             240 s after the first submission\n');
  });

  it('tasks that keep arriving (a day of load): says so, with the longest wait, not a day-long "all placed after"', () => {
    expect(renderResult(result(36915, 240))).toContain('36915 s after the first submission (tasks kept arriving: the longest wait was 240 s)');
  });
});
