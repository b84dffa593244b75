import { readFileSync } from 'node:fs';
// The matchers' types, for every file (erased: loads nothing).
import type {} from 'aws-sdk-client-mock-jest';

// The aws-sdk-client-mock-jest matchers (toHaveReceivedCommand, …) take ~0.1-0.2 s to load in each
// test file's module registry: registered only for the files that use them (most of the unit tier does not).
const testPath = expect.getState().testPath;
if (!testPath || readFileSync(testPath, 'utf8').includes('toHaveReceived')) require('aws-sdk-client-mock-jest');
