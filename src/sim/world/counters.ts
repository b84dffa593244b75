/** What the world counts as it runs, for the run's figures (src/sim/run.ts). */
export interface WorldCounters {
  scalingActions: number;
  interruptedTasks: number;
  /** Standalone tasks stopped before they finished (instance gone). */
  killedStandalone: number;
  completedStandalone: number;
  /** Non-daemon tasks still running when a scale-in terminated their instance (must stay 0). */
  killedByScaleIn: number;
}

export const noCounts = (): WorldCounters => ({ scalingActions: 0, interruptedTasks: 0, killedStandalone: 0, completedStandalone: 0, killedByScaleIn: 0 });
