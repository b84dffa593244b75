/**
 * With managed scaling on, a task ECS cannot place waits in PROVISIONING and stops after ECS's
 * timeout: "between 10 and 30 minutes" (AWS blog "Deep dive on Amazon ECS cluster auto scaling",
 * 2020, as quoted in aws/containers-roadmap#2381). AWS publishes neither the exact bound nor the
 * stoppedReason text: the simulator stops them at `provisioningTimeoutSeconds` with a text of its own.
 */
import type { ClusterState } from '../state.js';

export const PROVISIONING_TIMEOUT_REASON = 'Task stopped: no capacity within the PROVISIONING timeout (simulated; AWS publishes no text)';

export function stopTimedOutProvisioning(state: ClusterState, timeoutSeconds: number): void {
  const limit = state.now - timeoutSeconds * 1000;
  for (const t of state.tasks.values()) {
    if (t.lastStatus === 'PROVISIONING' && t.submittedAt <= limit) state.stopTask(t, { stopCode: 'TaskFailedToStart', reason: PROVISIONING_TIMEOUT_REASON });
  }
}
