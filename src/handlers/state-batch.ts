/**
 * The state function's batch (EventBridge → state queue → Lambda): each ECS task or container-instance
 * state change written to the store if newer than what it holds (docs/state.md). Duplicates and late
 * events write nothing. A malformed message is reported back with its event id and field and, after
 * the queue's receives, lands in the dead-letter queue; an event that is not a state change is ignored
 * with one log line.
 */
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import type { Logger, MetricsSink } from '../controller.js';
import { EventValidationError, parseEvent } from '../events/index.js';
import { applyStateEvent, emptyCounts, type ApplyCounts } from '../state/apply-events.js';
import { messageBody } from './sqs-batch.js';
import type { StateStore } from '../state/store.js';

export interface StateBatchDeps {
  store: StateStore;
  now: Date;
  logger?: Logger;
  metrics?: MetricsSink;
}

export async function runStateBatch(batch: SQSEvent, deps: StateBatchDeps): Promise<{ response: SQSBatchResponse; counts: ApplyCounts }> {
  const counts = emptyCounts();
  const handle = async (message: SQSRecord): Promise<void> => {
    const raw = messageBody(message, 'state', deps.logger);
    let parsed: ReturnType<typeof parseEvent>;
    try {
      parsed = parseEvent(raw);
    } catch (e) {
      if (e instanceof EventValidationError) deps.logger?.error(`state: ${e.message}`);
      throw e;
    }
    if (parsed.outcome !== 'parsed' || (parsed.event.kind !== 'task-state-change' && parsed.event.kind !== 'container-instance-state-change')) {
      counts.ignored += 1;
      deps.logger?.info(`state: ignored ${parsed.outcome === 'parsed' ? `${parsed.event.id} (${parsed.event.detailType})` : `${parsed.eventId}: ${parsed.reason}`}`);
      return;
    }
    await applyStateEvent(deps.store, parsed.event, deps.now, counts);
  };
  const response = await processPartialResponse(batch, handle, new BatchProcessor(EventType.SQS), { processInParallel: false, throwOnFullBatchFailure: false });
  deps.metrics?.count('stateEventsApplied', counts.applied);
  deps.metrics?.count('stateEventsDuplicate', counts.duplicates + counts.stale);
  deps.metrics?.count('stateEventGaps', counts.gaps);
  return { response, counts };
}
