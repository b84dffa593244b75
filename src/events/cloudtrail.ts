/**
 * RunTask calls that failed for lack of capacity, seen through EventBridge's "AWS API Call via
 * CloudTrail" events (source `aws.ecs`, eventSource `ecs.amazonaws.com`, eventName `RunTask`).
 * With managed scaling off ECS does not queue such tasks: the response lists `RESOURCE:*` failures
 * and the caller retries. EventBridge receives these events only if the account has a CloudTrail trail
 * with logging on (EventBridge User Guide, "AWS service events delivered via AWS CloudTrail"); they are
 * delivered on a best-effort basis.
 *
 * Sample (events/samples/cloudtrail-runtask-resource-failure.json):
 *   { "detail-type": "AWS API Call via CloudTrail", "source": "aws.ecs",
 *     "detail": { "eventSource": "ecs.amazonaws.com", "eventName": "RunTask",
 *                 "requestParameters": { "cluster": "demo", "taskDefinition": "report:3", "count": 4 },
 *                 "responseElements": { "tasks": [], "failures": [{ "arn": "…", "reason": "RESOURCE:MEMORY" }, …] } } }
 */
import { strategyProvider } from '../core/capacity/providers.js';
import { z } from 'zod';
import { eventModule } from './module.js';

const Failure = z.looseObject({ arn: z.string().optional(), reason: z.string().optional(), detail: z.string().optional() });

export const runTaskViaCloudTrail = eventModule({
  source: 'aws.ecs',
  detailType: 'AWS API Call via CloudTrail',
  detail: z.looseObject({
    eventSource: z.string().min(1),
    eventName: z.string().min(1),
    errorCode: z.string().optional(),
    requestParameters: z
      .looseObject({
        cluster: z.string().min(1).optional(),
        taskDefinition: z.string().min(1).optional(),
        count: z.number().int().positive().optional(),
        startedBy: z.string().optional(),
        capacityProviderStrategy: z.array(z.looseObject({ capacityProvider: z.string().min(1), weight: z.number().optional(), base: z.number().optional() })).optional(),
        launchType: z.string().optional(),
      })
      .nullish(),
    responseElements: z.looseObject({ failures: z.array(Failure).nullish() }).nullish(),
  }),
  toDomain: (base, d) => {
    const failures = (d.responseElements?.failures ?? []).filter((f) => f.reason?.startsWith('RESOURCE:'));
    return {
      ...base,
      kind: 'run-task-failure',
      eventName: d.eventName,
      // RunTask's cluster defaults to `default` when the caller names none.
      cluster: d.requestParameters?.cluster ?? 'default',
      taskDefinition: d.requestParameters?.taskDefinition,
      failedTasks: failures.length,
      reasons: [...new Set(failures.map((f) => f.reason ?? ''))],
      capacityProvider: strategyProvider(d.requestParameters?.capacityProviderStrategy),
      launchType: d.requestParameters?.launchType,
      startedBy: d.requestParameters?.startedBy,
    };
  },
});
