import { DUTIES } from '../duties/index.js';
import { sqsBatchHandler } from './wire.js';

/**
 * Lambda entry point: the capacity duty, fed in batches by an SQS queue that EventBridge fills with
 * PROVISIONING tasks and placement failures (one plan per cluster per batch; docs/controller.md).
 */
export const handler = sqsBatchHandler(DUTIES.capacity);
