/**
 * Schedules (source `aws.events`, `Scheduled Event`): the reconcile loop's tick.
 *
 * Sample (events/scheduled-event.json):
 *   { "detail-type": "Scheduled Event", "source": "aws.events",
 *     "resources": ["arn:aws:events:us-east-1:123456789012:rule/my-scheduled-rule"], "detail": {} }
 * The stack's reconcile rules (one per cluster) add `"detail": { "cluster": "<name>" }` with an input
 * transformer (serverless/events.cjs): each cluster's tick is its own invocation.
 */
import { z } from 'zod';
import { eventModule } from './module.js';

export const scheduled = eventModule({
  source: 'aws.events',
  detailType: 'Scheduled Event',
  detail: z.looseObject({ cluster: z.string().min(1).optional() }),
  toDomain: (base, d, envelope) => ({ ...base, kind: 'scheduled', rule: envelope.resources[0], ...(d.cluster !== undefined ? { cluster: d.cluster } : {}) }),
});
