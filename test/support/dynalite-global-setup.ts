/**
 * Jest global setup: a DynamoDB-compatible server (dynalite, in memory) for the state-store tests, with
 * the state table created as the stack declares it (pk / sk strings, on demand). Tests find it through
 * the env vars below (see dynalite-client.ts); the teardown stops it.
 */
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import dynalite from 'dynalite';

/** Set for jest's workers (read by dynalite-client.ts). Jest's moduleNameMapper does not apply here: no local imports. */
export const ENDPOINT_ENV = 'ECS_PILOT_TEST_DYNAMODB_ENDPOINT';
export const TABLE_ENV = 'ECS_PILOT_TEST_DYNAMODB_TABLE';
const TABLE = 'ecs-pilot-state-test';
const START_TIMEOUT_MS = 15_000;

declare global {
  var __ecsPilotDynalite: Server | undefined;
}

function listen(server: Server): Promise<number> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`dynalite did not start listening within ${START_TIMEOUT_MS / 1000} s`)), START_TIMEOUT_MS);
    server.once('error', (err) => {
      clearTimeout(timer);
      reject(new Error(`dynalite could not start: ${err.message}`, { cause: err }));
    });
    server.listen(0, '127.0.0.1', () => {
      clearTimeout(timer);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

export default async function globalSetup(): Promise<void> {
  // test/setup.ts sets this for the workers; the global setup runs before it, in jest's own process.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  globalThis.__ecsPilotDynalite = server;
  const port = await listen(server);
  const endpoint = `http://127.0.0.1:${port}`;
  // Bounded, so a server that accepts but never answers fails the run instead of hanging it.
  const client = new DynamoDBClient({ endpoint, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' }, maxAttempts: 1, requestHandler: { connectionTimeout: 5_000, requestTimeout: 15_000 } });
  try {
    await client.send(
      new CreateTableCommand({
        TableName: TABLE,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [
          { AttributeName: 'pk', AttributeType: 'S' },
          { AttributeName: 'sk', AttributeType: 'S' },
        ],
        KeySchema: [
          { AttributeName: 'pk', KeyType: 'HASH' },
          { AttributeName: 'sk', KeyType: 'RANGE' },
        ],
      }),
    );
  } catch (err) {
    server.close();
    throw new Error(`dynalite started at ${endpoint} but the table ${TABLE} could not be created: ${(err as Error).message}`, { cause: err });
  } finally {
    client.destroy();
  }
  // Jest's workers start after the global setup and inherit its environment.
  process.env[ENDPOINT_ENV] = endpoint;
  process.env[TABLE_ENV] = TABLE;
}
