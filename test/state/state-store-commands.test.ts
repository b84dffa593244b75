/**
 * The exact DynamoDB requests DynamoStateStore sends (aws-sdk-client-mock at the Document client), and
 * what it does when DynamoDB throttles: the SDK's standard retry strategy retries
 * ProvisionedThroughputExceededException (a throttling error, up to 3 attempts by default); what
 * is still failing after that surfaces as a StateStoreError naming the call, cluster and item, with
 * the SDK error as its cause — and nothing else is written.
 */
import { ConditionalCheckFailedException, DynamoDBClient, ProvisionedThroughputExceededException } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { Readable } from 'node:stream';
import { DynamoStateStore, StateStoreError } from '../../src/aws/state-store.js';
import { GONE_TTL_SECONDS } from '../../src/state/store.js';
import { aTaskRecord, anInstanceRecord } from './record-builders.js';

const ddb = mockClient(DynamoDBDocumentClient);
const TABLE = 'ecs-pilot-state';
const NOW = new Date('2026-12-01T10:00:00.000Z');
const NOW_S = NOW.getTime() / 1000;

const store = () => new DynamoStateStore(DynamoDBDocumentClient.from(new DynamoDBClient({})), TABLE);
const conditionFailed = (item?: Record<string, unknown>) => new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {}, ...(item ? { Item: item as never } : {}) });

describe('Class: DynamoStateStore (requests)', () => {
  beforeEach(() => ddb.reset());

  it('applies an event with one conditional PutItem, and nothing else when no version was skipped', async () => {
    // Prepare: the item it replaced was version 1.
    ddb.on(PutCommand).resolves({ Attributes: { version: 1 } });
    const record = aTaskRecord('a', { version: 2 });
    // Act
    const result = await store().applyTask('prod', record, NOW);
    // Assess
    expect(result).toEqual({ verdict: 'apply', gap: false });
    expect(ddb.calls()).toHaveLength(1);
    expect(ddb).toHaveReceivedCommandWith(PutCommand, {
      TableName: TABLE,
      Item: { pk: 'prod', sk: `task#${record.taskArn}`, record, version: 2, gone: false, storedAt: NOW.getTime() },
      ConditionExpression: 'attribute_not_exists(pk) OR version < :v OR expiresAt <= :now',
      ExpressionAttributeValues: { ':v': 2, ':now': NOW_S },
      ReturnValues: 'ALL_OLD',
      ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
    });
  });

  it('gives a gone record its TTL, and records a skipped version in the meta: the first gap and the latest', async () => {
    ddb.on(PutCommand).resolves({ Attributes: { version: 1 } }).on(UpdateCommand).resolves({});
    const inactive = anInstanceRecord('1', { version: 3, status: 'INACTIVE' });
    expect(await store().applyInstance('prod', inactive, NOW)).toEqual({ verdict: 'apply', gap: true });
    expect(ddb).toHaveReceivedCommandWith(PutCommand, { Item: { pk: 'prod', sk: `instance#${inactive.containerInstanceArn}`, record: inactive, version: 3, gone: true, storedAt: NOW.getTime(), expiresAt: NOW_S + GONE_TTL_SECONDS } });
    expect(ddb).toHaveReceivedCommandWith(UpdateCommand, {
      TableName: TABLE,
      Key: { pk: 'prod', sk: 'meta' },
      UpdateExpression: 'SET gapAt = if_not_exists(gapAt, :at), lastGapAt = :at',
      ConditionExpression: 'attribute_not_exists(lastGapAt) OR lastGapAt < :at',
      ExpressionAttributeValues: { ':at': NOW.toISOString() },
    });
  });

  it('does not count a replaced item past its TTL: no gap', async () => {
    ddb.on(PutCommand).resolves({ Attributes: { version: 1, gone: true, expiresAt: NOW_S } });
    expect(await store().applyTask('prod', aTaskRecord('a', { version: 5 }), NOW)).toEqual({ verdict: 'apply', gap: false });
    expect(ddb).not.toHaveReceivedCommand(UpdateCommand);
  });

  it('tells a duplicate from the item the failed condition returns, with no read', async () => {
    // DynamoDB returns the item in its marshalled form (ReturnValuesOnConditionCheckFailure).
    ddb.on(PutCommand).rejects(conditionFailed({ version: { N: '2' } }));
    expect(await store().applyTask('prod', aTaskRecord('a', { version: 2 }), NOW)).toEqual({ verdict: 'duplicate', gap: false });
    expect(ddb.calls()).toHaveLength(1);
  });

  it('reads the stored version (consistent GetItem) when the failed condition returns no item', async () => {
    ddb.on(PutCommand).rejects(conditionFailed()).on(GetCommand).resolves({ Item: { version: 4 } });
    const record = aTaskRecord('a', { version: 3 });
    expect(await store().applyTask('prod', record, NOW)).toEqual({ verdict: 'stale', gap: false });
    expect(ddb).toHaveReceivedCommandTimes(GetCommand, 1);
    expect(ddb).toHaveReceivedCommandWith(GetCommand, { TableName: TABLE, Key: { pk: 'prod', sk: `task#${record.taskArn}` }, ConsistentRead: true, ProjectionExpression: 'version, expiresAt' });
  });

  it('surfaces a write still throttled after the SDK retries as a StateStoreError, and writes nothing else', async () => {
    // Prepare
    const throttled = new ProvisionedThroughputExceededException({ message: 'The level of configured provisioned throughput for the table was exceeded', $metadata: {} });
    ddb.on(PutCommand).rejects(throttled);
    const record = aTaskRecord('a', { version: 2 });
    // Act
    const error = await store()
      .applyTask('prod', record, NOW)
      .catch((e: unknown) => e);
    // Assess
    expect(error).toBeInstanceOf(StateStoreError);
    expect((error as Error).message).toBe(`DynamoDB PutItem of task#${record.taskArn} in cluster prod failed: The level of configured provisioned throughput for the table was exceeded`);
    expect((error as Error).cause).toBe(throttled);
    expect(ddb.calls()).toHaveLength(1);
  });

  it('surfaces a failed gap mark as a StateStoreError about the meta (the record itself was written)', async () => {
    const failure = new Error('Internal server error');
    ddb.on(PutCommand).resolves({ Attributes: { version: 1 } }).on(UpdateCommand).rejects(failure);
    const error = await store()
      .applyTask('prod', aTaskRecord('a', { version: 3 }), NOW)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StateStoreError);
    expect((error as Error).message).toBe('DynamoDB UpdateItem of the meta of cluster prod (gapAt) failed: Internal server error');
    expect((error as Error).cause).toBe(failure);
  });

  it('reads with one Query per page, following LastEvaluatedKey, eventually consistent, gone items filtered by the server', async () => {
    const a = aTaskRecord('a');
    const i = anInstanceRecord('1');
    ddb
      .on(QueryCommand)
      .resolvesOnce({ Items: [{ pk: 'prod', sk: 'instance#x', record: i, version: 1, gone: false }], LastEvaluatedKey: { pk: 'prod', sk: 'instance#x' } })
      .resolvesOnce({ Items: [{ pk: 'prod', sk: 'meta', resyncedAt: NOW.toISOString() }, { pk: 'prod', sk: 'task#y', record: a, version: 1, gone: false }] });
    expect(await store().read('prod')).toEqual({ tasks: [a], instances: [i], meta: { resyncedAt: NOW.toISOString() } });
    const base = { TableName: TABLE, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': 'prod', ':false': false }, ConsistentRead: false, FilterExpression: 'gone = :false OR attribute_not_exists(gone)' };
    expect(ddb.commandCalls(QueryCommand).map((c) => c.args[0].input)).toEqual([base, { ...base, ExclusiveStartKey: { pk: 'prod', sk: 'instance#x' } }]);
  });

  it('resyncs with a consistent Query, conditional writes of what differs only, and a conditional meta update', async () => {
    // Prepare: stored a (v1, older) and b (not listed, stored before the read); listed a v2.
    const startedAt = NOW;
    const stale = aTaskRecord('a', { version: 1 });
    const missing = anInstanceRecord('1', { version: 4 });
    ddb
      .on(QueryCommand)
      .resolves({
        Items: [
          { pk: 'prod', sk: `task#${stale.taskArn}`, record: stale, version: 1, gone: false, storedAt: NOW.getTime() - 60_000 },
          { pk: 'prod', sk: `instance#${missing.containerInstanceArn}`, record: missing, version: 4, gone: false, storedAt: NOW.getTime() - 60_000 },
        ],
      })
      .on(PutCommand)
      .resolves({})
      .on(UpdateCommand)
      .resolves({});
    const listed = aTaskRecord('a', { version: 2 });
    // Act
    const result = await store().resync('prod', { tasks: [listed], instances: [] }, startedAt);
    // Assess
    expect(result).toEqual({ written: 1, markedGone: 1, keptNewer: 0 });
    expect(ddb).toHaveReceivedCommandWith(QueryCommand, { TableName: TABLE, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': 'prod' }, ConsistentRead: true });
    expect(ddb).toHaveReceivedCommandTimes(PutCommand, 1);
    expect(ddb).toHaveReceivedCommandWith(PutCommand, {
      TableName: TABLE,
      Item: { pk: 'prod', sk: `task#${listed.taskArn}`, record: listed, version: 2, gone: false, storedAt: NOW.getTime() },
      ConditionExpression: 'attribute_not_exists(pk) OR version <= :v OR expiresAt <= :now',
      ExpressionAttributeValues: { ':v': 2, ':now': NOW_S },
    });
    expect(ddb.commandCalls(UpdateCommand).map((c) => c.args[0].input)).toEqual([
      {
        TableName: TABLE,
        Key: { pk: 'prod', sk: `instance#${missing.containerInstanceArn}` },
        UpdateExpression: 'SET gone = :true, storedAt = :at, expiresAt = :exp, #record.#status = :inactive',
        ConditionExpression: 'attribute_exists(pk) AND storedAt < :at',
        ExpressionAttributeNames: { '#record': 'record', '#status': 'status' },
        ExpressionAttributeValues: { ':true': true, ':at': NOW.getTime(), ':exp': NOW_S + GONE_TTL_SECONDS, ':inactive': 'INACTIVE' },
      },
      {
        TableName: TABLE,
        Key: { pk: 'prod', sk: 'meta' },
        UpdateExpression: 'SET resyncedAt = :at REMOVE gapAt, lastGapAt',
        ConditionExpression: '(attribute_not_exists(resyncedAt) OR resyncedAt <= :at) AND (attribute_not_exists(lastGapAt) OR lastGapAt <= :at)',
        ExpressionAttributeValues: { ':at': NOW.toISOString() },
      },
    ]);
  });

  it('keeps, when a gap arrives while the resync runs, the gap seen after its start (the next attempt of the meta update)', async () => {
    // The Query saw a gap before the start; by the meta update a later gap was recorded (the first attempt fails).
    ddb
      .on(QueryCommand)
      .resolves({ Items: [{ pk: 'prod', sk: 'meta', gapAt: '2026-12-01T09:59:00.000Z', lastGapAt: '2026-12-01T09:59:00.000Z' }] })
      .on(UpdateCommand)
      .rejectsOnce(conditionFailed())
      .resolves({});
    await store().resync('prod', { tasks: [], instances: [] }, NOW);
    expect(ddb.commandCalls(UpdateCommand).map((c) => c.args[0].input.UpdateExpression)).toEqual(['SET resyncedAt = :at REMOVE gapAt, lastGapAt', 'SET resyncedAt = :at, gapAt = lastGapAt']);
  });

  it('stops a resync at its first failed write: no new write starts, no meta update, a StateStoreError', async () => {
    // Prepare: 40 records to write, 4 at a time; the third write fails.
    const tasks = Array.from({ length: 40 }, (_, i) => aTaskRecord(`t${i}`));
    ddb.on(QueryCommand).resolves({ Items: [] }).on(PutCommand).resolvesOnce({}).resolvesOnce({}).rejectsOnce(new Error('Internal server error')).resolves({}).on(UpdateCommand).resolves({});
    // Act
    const error = await new DynamoStateStore(DynamoDBDocumentClient.from(new DynamoDBClient({})), TABLE, { resyncConcurrency: 4 })
      .resync('prod', { tasks, instances: [] }, NOW)
      .catch((e: unknown) => e);
    // Assess
    expect(error).toBeInstanceOf(StateStoreError);
    expect((error as Error).message).toMatch(/^DynamoDB PutItem of task#.* in cluster prod \(resync\) failed: Internal server error$/);
    // Those in flight when it failed finish; no write starts after (the pool would otherwise go on alone).
    const atFailure = ddb.commandCalls(PutCommand).length;
    for (let i = 0; i < 5; i += 1) await new Promise((resolve) => setImmediate(resolve));
    expect(ddb.commandCalls(PutCommand).length).toBe(atFailure);
    expect(atFailure).toBeLessThan(10);
    expect(ddb).not.toHaveReceivedCommand(UpdateCommand);
  });

  it('deletes, in a resync, the tombstones past their TTL it reads (conditionally: a newer version has a later TTL or none)', async () => {
    const stopped = aTaskRecord('a', { version: 5, lastStatus: 'STOPPED', desiredStatus: 'STOPPED' });
    ddb
      .on(QueryCommand)
      .resolves({ Items: [{ pk: 'prod', sk: `task#${stopped.taskArn}`, record: stopped, version: 5, gone: true, storedAt: 0, expiresAt: NOW_S - 1 }] })
      .on(DeleteCommand)
      .resolves({})
      .on(UpdateCommand)
      .resolves({});
    expect(await store().resync('prod', { tasks: [], instances: [] }, NOW)).toEqual({ written: 0, markedGone: 0, keptNewer: 0 });
    expect(ddb).toHaveReceivedCommandWith(DeleteCommand, { TableName: TABLE, Key: { pk: 'prod', sk: `task#${stopped.taskArn}` }, ConditionExpression: 'expiresAt <= :now', ExpressionAttributeValues: { ':now': NOW_S } });
  });

  it('counts a resync write whose condition fails (an event wrote a newer version meanwhile) as kept', async () => {
    ddb.on(QueryCommand).resolves({ Items: [] }).on(PutCommand).rejects(conditionFailed()).on(UpdateCommand).resolves({});
    expect(await store().resync('prod', { tasks: [aTaskRecord('a', { version: 2 })], instances: [] }, NOW)).toEqual({ written: 0, markedGone: 0, keptNewer: 1 });
  });
});

describe('Class: DynamoStateStore (SDK retries)', () => {
  // The Document client's real send, through the SDK's middleware (retries included).
  beforeAll(() => ddb.restore());

  it('is retried by the SDK when DynamoDB throttles, and then succeeds', async () => {
    // Prepare: a real client whose HTTP handler answers one throttling error, then success.
    const bodies = [
      { status: 400, body: { __type: 'com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException', message: 'Rate exceeded' } },
      { status: 200, body: {} },
    ];
    let requests = 0;
    const requestHandler = {
      handle: async () => {
        const answer = bodies[Math.min(requests, bodies.length - 1)]!;
        requests += 1;
        return {
          // The shape of an HttpResponse (the SDK checks it structurally).
          response: { statusCode: answer.status, headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amzn-requestid': `r${requests}` }, body: Readable.from([Buffer.from(JSON.stringify(answer.body))]) },
        };
      },
    };
    const client = new DynamoDBClient({ endpoint: 'http://127.0.0.1:9', requestHandler });
    // Act
    const result = await new DynamoStateStore(DynamoDBDocumentClient.from(client), TABLE).applyTask('prod', aTaskRecord('a', { version: 2 }), NOW);
    // Assess
    expect(result).toEqual({ verdict: 'apply', gap: false });
    expect(requests).toBe(2);
  });
});
