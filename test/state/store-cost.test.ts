/**
 * What DynamoStateStore costs in request units, as dynalite counts them (it sizes items and rounds
 * like DynamoDB: writes per 1 KB, reads per 4 KB, eventually consistent reads half). Every request is
 * sent with ReturnConsumedCapacity TOTAL by a middleware of the test's client.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoStateStore } from '../../src/aws/state-store.js';
import { dynaliteClient, type Dynalite } from '../support/dynalite-client.js';
import { aBusyInstance, aServiceTask } from './record-builders.js';

let dynamo: Dynalite;
const consumed = new Map<string, number>();
function countCapacity(client: DynamoDBClient): void {
  client.middlewareStack.add(
    (next, context) => async (args) => {
      (args.input as Record<string, unknown>).ReturnConsumedCapacity = 'TOTAL';
      const out = await next(args);
      const units = (out.output as { ConsumedCapacity?: { CapacityUnits?: number } }).ConsumedCapacity?.CapacityUnits ?? 0;
      const name = context.commandName ?? 'unknown';
      consumed.set(name, (consumed.get(name) ?? 0) + units);
      return out;
    },
    { step: 'initialize', name: 'countCapacity' },
  );
}
const units = (command: string) => consumed.get(command) ?? 0;

beforeAll(() => {
  dynamo = dynaliteClient();
  countCapacity(dynamo.base);
});
afterAll(() => dynamo.destroy());
beforeEach(() => consumed.clear());

describe('Cost: DynamoStateStore in request units', () => {
  const now = new Date('2026-12-01T10:00:00.000Z');

  it('writes a task or container-instance event in one write unit (items under 1 KB)', async () => {
    const store = new DynamoStateStore(dynamo.client, dynamo.tableName);
    await store.applyTask('cost-events', aServiceTask('cost-events', 1), now);
    expect(units('PutItemCommand')).toBe(1);
    await store.applyInstance('cost-events', aBusyInstance('cost-events', 1), now);
    expect(units('PutItemCommand')).toBe(2);
    expect(units('UpdateItemCommand')).toBe(0);
  });

  it('reads the whole partition for about a quarter of a read unit per KB, half that eventually consistent', async () => {
    // Prepare: 200 tasks and 20 instances, written by a resync.
    const cluster = 'cost-read';
    const store = new DynamoStateStore(dynamo.client, dynamo.tableName);
    const tasks = Array.from({ length: 200 }, (_, i) => aServiceTask(cluster, i));
    const instances = Array.from({ length: 20 }, (_, i) => aBusyInstance(cluster, i));
    await store.resync(cluster, { tasks, instances }, now);
    // One write unit per record written, and one for the meta.
    expect(units('PutItemCommand')).toBe(220);
    expect(units('UpdateItemCommand')).toBe(1);
    consumed.clear();
    // Act
    await store.read(cluster);
    // Assess: 220 items of 0.7–1 KB, read eventually consistent.
    const readUnits = units('QueryCommand');
    expect(readUnits).toBeGreaterThanOrEqual((220 * 0.7) / 4 / 2);
    expect(readUnits).toBeLessThanOrEqual((220 * 1) / 4 / 2 + 1);
    consumed.clear();
    await store.resync(cluster, { tasks, instances }, new Date(now.getTime() + 60_000));
    // Nothing changed: one consistent Query (twice the eventually consistent read), no item written, the meta updated.
    expect(units('QueryCommand')).toBe(readUnits * 2);
    expect(units('PutItemCommand')).toBe(0);
    expect(units('UpdateItemCommand')).toBe(1);
  });
});
