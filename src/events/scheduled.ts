/**
 * Schedules (source `aws.events`, `Scheduled Event`): the reconcile loop's tick.
 *
 * Sample (events/scheduled-event.json):
 *   { "detail-type": "Scheduled Event", "source": "aws.events",
 *     "resources": ["arn:aws:events:us-east-1:123456789012:rule/my-scheduled-rule"], "detail": {} }
 */
import { z } from 'zod';
import { eventModule } from './module.js';

export const scheduled = eventModule({
  source: 'aws.events',
  detailType: 'Scheduled Event',
  detail: z.looseObject({}),
  toDomain: (base, _d, envelope) => ({ ...base, kind: 'scheduled', rule: envelope.resources[0] }),
});
