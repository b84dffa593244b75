import type { StateAccess } from '../../src/state/store.js';
import type { Context } from 'aws-lambda';
import { awsClients, type Clients } from '../../src/aws/clients.js';
import { loadConfigFile } from '../../src/config/load.js';
import type { ControllerConfig } from '../../src/config/schema.js';
import type { DecisionRecord, Duty } from '../../src/controller.js';
import type { DomainEventKind } from '../../src/events/index.js';
import { lambdaHandler } from '../../src/handlers/wire.js';
import { loadJson } from './builders.js';

export const NOW = new Date('2026-11-24T12:00:10Z');

export function demoConfig(overrides: Partial<ControllerConfig> = {}): ControllerConfig {
  return { ...loadConfigFile('ecs-pilot.yml'), ...overrides };
}

export const context = { functionName: 'test', awsRequestId: 'req-1', getRemainingTimeInMillis: () => 60_000 } as unknown as Context;

/**
 * Invokes the real handler wiring for a duty with a fixed clock and the given config: in a cold
 * container, or in the warm one whose `clients` (and their caches) are given.
 */
export function invoke<K extends DomainEventKind>(duty: Duty<K>, event: unknown, options: { config?: ControllerConfig; now?: Date; state?: StateAccess; clients?: Clients } = {}): Promise<DecisionRecord> {
  const clients = options.clients ?? awsClients();
  // In-invocation retries wait on no real timer in tests.
  const handler = lambdaHandler(duty, () => ({ config: options.config ?? demoConfig(), clients, now: options.now ?? NOW, state: options.state, actuation: { sleep: async () => {} } }));
  return handler(event, context);
}

export function event(path: string): Record<string, any> {
  return loadJson(path);
}
