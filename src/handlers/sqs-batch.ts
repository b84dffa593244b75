/**
 * A duty fed by an SQS queue that EventBridge fills (the capacity function): a burst of events arrives
 * as one batch. The first event of a cluster that is acted on (or found to need nothing) reads and
 * plans the whole cluster; the batch's later events of that cluster are covered by it. A record that
 * is malformed or whose run failed is reported back (ReportBatchItemFailures, through Powertools'
 * BatchProcessor): SQS delivers it again, then moves it to the dead-letter queue.
 */
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { isDryRun, runDuty, type AnyDuty, type ControllerDeps, type DecisionRecord, type Logger } from '../controller.js';
import { EventValidationError, parseEvent, type RunTaskFailure } from '../events/index.js';
import { applyStateEvent } from '../state/apply-events.js';

export interface BatchOutcome {
  response: SQSBatchResponse;
  records: DecisionRecord[];
}

/** A cluster named by name or ARN, as one key. */
const clusterKey = (cluster: string): string => cluster.split('/').pop() ?? cluster;

const clusterOf = (event: unknown): string | undefined => {
  try {
    const parsed = parseEvent(event);
    return parsed.outcome === 'parsed' && 'cluster' in parsed.event && parsed.event.cluster !== undefined ? clusterKey(parsed.event.cluster) : undefined;
  } catch {
    return undefined;
  }
};

const runTaskFailureOf = (body: string): RunTaskFailure | undefined => {
  try {
    const parsed = parseEvent(JSON.parse(body));
    return parsed.outcome === 'parsed' && parsed.event.kind === 'run-task-failure' ? parsed.event : undefined;
  } catch {
    return undefined;
  }
};

/**
 * Failed RunTask calls carry demand no read of the cluster shows, so a cluster's first one runs first
 * and sees all of them (`batch`): one plan for the calls of a burst, the same plan again if the batch
 * is delivered twice.
 */
function runTaskFailuresFirst(records: SQSEvent['Records']): { order: SQSEvent['Records']; failuresOf: Map<string, RunTaskFailure[]> } {
  const failuresOf = new Map<string, RunTaskFailure[]>();
  const leads: SQSEvent['Records'] = [];
  for (const r of records) {
    const f = runTaskFailureOf(r.body);
    if (!f) continue;
    const list = failuresOf.get(clusterKey(f.cluster)) ?? [];
    if (list.length === 0) leads.push(r);
    list.push(f);
    failuresOf.set(clusterKey(f.cluster), list);
  }
  return { order: [...leads, ...records.filter((r) => !leads.includes(r))], failuresOf };
}

/**
 * With the state store, the batch's own task events are written to it first: the first event's plan
 * reads the store and covers the rest, so it must see them all (the state function writes them too;
 * versioned writes make the order harmless).
 */
async function storeBatchTasks(batch: SQSEvent, deps: ControllerDeps): Promise<void> {
  const state = deps.state;
  if (!state) return;
  for (const r of batch.Records) {
    try {
      const parsed = parseEvent(JSON.parse(r.body));
      if (parsed.outcome === 'parsed' && parsed.event.kind === 'task-state-change') await applyStateEvent(state.store, parsed.event, deps.now);
    } catch (e) {
      // Malformed: its own run below reports it. A store failure: the plans then read the APIs' view late.
      if (!(e instanceof SyntaxError) && !(e instanceof EventValidationError)) deps.logger?.warn(`capacity: could not store a batch task event: ${(e as Error).message}`);
    }
  }
}

/** A message's EventBridge event; a body that is not JSON is logged and rejected (redelivered, then the DLQ). */
export function messageBody(message: SQSRecord, fn: string, logger: Pick<Logger, 'error'> | undefined): unknown {
  try {
    return JSON.parse(message.body);
  } catch (e) {
    logger?.error(`${fn}: message ${message.messageId} is not JSON: rejected`);
    throw e;
  }
}

export async function runSqsBatch(duty: AnyDuty, batch: SQSEvent, deps: ControllerDeps): Promise<BatchOutcome> {
  await storeBatchTasks(batch, deps);
  const records: DecisionRecord[] = [];
  const covered = new Map<string, string>(); // cluster → id of the event whose run covered it
  const { order, failuresOf } = runTaskFailuresFirst(batch.Records);
  // Records one at a time, in that order: the first of a cluster covers the rest.
  const handle = async (message: SQSRecord): Promise<void> => {
    const event = messageBody(message, duty.name, deps.logger);
    const cluster = clusterOf(event);
    const by = cluster ? covered.get(cluster) : undefined;
    if (cluster && by) {
      const id = typeof event === 'object' && event !== null ? String((event as { id?: unknown }).id) : undefined;
      records.push({ duty: duty.name, eventId: id, detailType: undefined, outcome: 'ignored', reason: `covered by event ${by} in the same batch`, dryRun: isDryRun(deps.config, duty.name), actions: [], calls: [], failures: [], skipped: [] });
      return;
    }
    try {
      const siblings = cluster ? failuresOf.get(cluster) : undefined;
      const record = await runDuty(duty, event, siblings ? { ...deps, batch: siblings } : deps);
      records.push(record);
      if (cluster && (record.outcome === 'acted' || record.outcome === 'nothing-to-do') && record.eventId) covered.set(cluster, record.eventId);
    } catch (e) {
      if (!(e instanceof EventValidationError)) deps.logger?.error(`${duty.name}: message ${message.messageId} failed: ${(e as Error).message}`);
      throw e;
    }
  };
  const response = await processPartialResponse({ ...batch, Records: order }, handle, new BatchProcessor(EventType.SQS), { processInParallel: false, throwOnFullBatchFailure: false });
  return { response, records };
}
