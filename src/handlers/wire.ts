/**
 * Wiring shared by every Lambda: middy, Powertools Logger (one decision record per event) and
 * Metrics (EMF), the config and the SDK clients — created once per warm container. No decisions here.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import { awsClients, awsStateStore, ecsReadCalls } from '../aws/clients.js';
import { runtimeConfig, runtimeSettings } from '../config/load.js';
import { runStateBatch } from './state-batch.js';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { runDuty, type ControllerDeps, type DecisionRecord, type ClusterObservation, type Duty, type Logger as RecordLogger, type MetricsSink } from '../controller.js';
import { runSqsBatch } from './sqs-batch.js';
import type { DomainEventKind } from '../events/index.js';

const logger = new Logger({ serviceName: 'ecs-pilot' });
const metrics = new Metrics({ namespace: 'ecs-pilot', serviceName: 'ecs-pilot' });

const recordLogger: RecordLogger = {
  info: (message, extra) => logger.info(message, extra ?? {}),
  warn: (message, extra) => logger.warn(message, extra ?? {}),
  error: (message, extra) => logger.error(message, extra ?? {}),
};

const sink: MetricsSink = {
  count: (name, value) => metrics.addMetric(name, MetricUnit.Count, value),
  seconds: (name, value) => metrics.addMetric(name, MetricUnit.Seconds, value),
};

export type DepsFactory = () => Omit<ControllerDeps, 'logger' | 'metrics'>;

/** Production dependencies: the config file named by the environment, real clients, the wall clock. */
export const runtimeDeps: DepsFactory = () => {
  const config = runtimeConfig();
  const table = runtimeSettings().stateTable;
  const state = table ? { store: awsStateStore(table, config.region), policy: { everyMinutes: config.stateStore.resyncMinutes, gapResyncMinutes: config.stateStore.gapResyncMinutes } } : undefined;
  return { config, clients: awsClients(config.region, config.apiBudget), now: new Date(), state };
};

/** Runs `work` and reports the ECS bucket reads it made (`ecsReadCalls`, summed per minute: ecs-pilot's call rate). */
async function countingReads<T>(work: () => Promise<T>): Promise<T> {
  const before = ecsReadCalls();
  try {
    return await work();
  } finally {
    sink.count('ecsReadCalls', ecsReadCalls() - before);
  }
}

/** Every function's wrapping: the Lambda context in the log lines, the metrics flushed as EMF. */
function powertools<E, R>(handler: (event: E) => Promise<R>) {
  return middy(handler).use(injectLambdaContext(logger)).use(logMetrics(metrics));
}

/** A duty fed by SQS batches (EventBridge → queue → Lambda), reporting per-message failures. */
export function sqsBatchHandler<K extends DomainEventKind, O extends ClusterObservation>(duty: Duty<K, O>, deps: DepsFactory = runtimeDeps) {
  return powertools(async (event: SQSEvent): Promise<SQSBatchResponse> => (await countingReads(() => runSqsBatch(duty, event, { ...deps(), logger: recordLogger, metrics: sink }))).response);
}

export function lambdaHandler<K extends DomainEventKind, O extends ClusterObservation>(duty: Duty<K, O>, deps: DepsFactory = runtimeDeps) {
  return powertools(async (event: unknown): Promise<DecisionRecord> => countingReads(() => runDuty(duty, event, { ...deps(), logger: recordLogger, metrics: sink })));
}

/** The state function: ECS's task and container-instance events into the store (docs/state.md). */
export function stateHandler(deps: DepsFactory = runtimeDeps) {
  return powertools(async (event: SQSEvent): Promise<SQSBatchResponse> => {
    const { state, now } = deps();
    if (!state) throw new Error('the state function has no table: ECS_PILOT_STATE_TABLE is not set');
    return (await runStateBatch(event, { store: state.store, now, logger: recordLogger, metrics: sink })).response;
  });
}
