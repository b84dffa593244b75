/**
 * Wiring shared by every Lambda: middy, Powertools Logger (one decision record per event) and
 * Metrics (EMF), the config, the SDK clients with their caches and the state store. No decisions here.
 *
 * This is the one module that keeps state across invocations (test/architecture.test.ts checks it):
 * the logger and metrics from the container's start, the rest from its first invocation — what a warm
 * container should reuse, handed to the duties in their context.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import { awsStateStore, budgetedAwsClients, type Clients } from '../aws/clients.js';
import type { ControllerConfig } from '../config/schema.js';
import { loadRuntimeConfig, runtimeSettings } from '../config/load.js';
import type { StateAccess } from '../state/store.js';
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

/** What a warm container reuses: built on its first invocation, again only if its settings change. */
interface WarmRuntime {
  settingsKey: string;
  config: ControllerConfig;
  clients: Clients;
  ecsReadCalls: () => number;
  state: StateAccess | undefined;
}

let warm: WarmRuntime | undefined;

/** The one factory: config, clients (with their caches) and state store, once per warm container. */
function warmRuntime(): WarmRuntime {
  const settings = runtimeSettings();
  const settingsKey = JSON.stringify(settings);
  if (warm?.settingsKey !== settingsKey) {
    const config = loadRuntimeConfig(settings);
    const { clients, ecsReadCalls } = budgetedAwsClients(config.region, config.apiBudget);
    const table = settings.stateTable;
    const state = table ? { store: awsStateStore(table, config.region), policy: { everyMinutes: config.stateStore.resyncMinutes, gapResyncMinutes: config.stateStore.gapResyncMinutes } } : undefined;
    warm = { settingsKey, config, clients, ecsReadCalls, state };
  }
  return warm;
}

/** Production dependencies: the config file named by the environment, the warm clients and store, the wall clock. */
export const runtimeDeps: DepsFactory = () => {
  const { config, clients, state } = warmRuntime();
  return { config, clients, now: new Date(), state };
};

/** ECS bucket reads the warm clients have sent so far (0 before the first invocation or without a budget). */
const ecsReadCalls = (): number => warm?.ecsReadCalls() ?? 0;

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
