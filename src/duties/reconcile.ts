/** The reconcile tick: instances, capacity and consolidation, then each job's timeouts and retries (docs/controller.md). */
import type { ClusterObservation, Duty } from '../controller.js';
import { decideJobReconcile } from '../core/batch/jobs.js';
import { withDisplacedDemand } from '../core/capacity/displaced.js';
import { decideReconcile } from '../core/reconcile/reconcile.js';
import { consolidationBlocked } from '../core/rebalance/consolidate.js';
import { leaveToEcs, modesOf } from '../core/capacity/modes.js';
import { listJobTasks } from '../aws/job-reader.js';
import { readClusterSnapshot } from '../aws/snapshot-reader.js';
import type { JobTasks } from './batch.js';

export interface ReconcileObservation extends ClusterObservation {
  /** Every configured job of the cluster, with its running and recently stopped tasks. */
  jobs: JobTasks[];
}

export const reconcileDuty: Duty<'scheduled', ReconcileObservation> = {
  name: 'reconcile',
  kinds: ['scheduled'],
  async observe(_event, ctx) {
    const out: ReconcileObservation[] = [];
    for (const cluster of ctx.config.clusters) {
      const snapshot = await readClusterSnapshot({ clients: ctx.clients, cluster, now: ctx.now });
      const jobs: JobTasks[] = [];
      for (const job of ctx.config.jobs.filter((j) => j.cluster === cluster.name)) jobs.push({ job, tasks: await listJobTasks(ctx.clients, job) });
      out.push({ cluster, snapshot, jobs });
    }
    return out;
  },
  decide: (_event, { cluster, snapshot, jobs }, now) => {
    // In an accelerate group ECS scales in and may own protection: those actions are left to it.
    const { kept, left } = leaveToEcs(decideReconcile(snapshot, cluster, now), snapshot.groups);
    const actions = [...kept, ...jobs.flatMap((j) => decideJobReconcile(j.job, j.tasks, now))];
    if (actions.length > 0) return { actions };
    if (left.length > 0) return { actions, reason: `left to ECS managed scaling: ${left.join('; ')}` };
    // Cheap pre-checks only: decideReconcile already ran the consolidation plans.
    const skipped = consolidationBlocked(withDisplacedDemand(snapshot), cluster, now);
    const mode = modesOf(snapshot.groups);
    return { actions, reason: `cluster ${cluster.name} converged${skipped ? `; consolidation: ${skipped}` : ''}${mode ? `; ${mode}` : ''}` };
  },
};
