/** The tests' Document client for the dynalite server started by the global setup. */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ENDPOINT_ENV, TABLE_ENV } from './dynalite-global-setup.js';


export interface Dynalite {
  client: DynamoDBDocumentClient;
  /** The low-level client under it (for middleware that must see DynamoDB's own requests). */
  base: DynamoDBClient;
  tableName: string;
  destroy(): void;
}

export function dynaliteClient(): Dynalite {
  const endpoint = process.env[ENDPOINT_ENV];
  const tableName = process.env[TABLE_ENV];
  if (!endpoint || !tableName) throw new Error('no dynalite endpoint: run the tests through jest (jest.config.cjs starts it in globalSetup)');
  const base = new DynamoDBClient({ endpoint, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
  return { client: DynamoDBDocumentClient.from(base), base, tableName, destroy: () => base.destroy() };
}
