import { ServiceNotFoundException } from '@aws-sdk/client-ecs';
import { describeAwsError } from '../../src/cli/aws-errors.js';

describe('Function: describeAwsError', () => {
  it.each([
    ['an unknown service', new ServiceNotFoundException({ message: 'Service not found.', $metadata: {} }), 'AWS ServiceNotFoundException: Service not found. — the ECS service does not exist in this cluster (check the config and the event)'],
    ['no permission', Object.assign(new Error('not authorized to perform: ecs:DescribeServices'), { name: 'AccessDeniedException', $metadata: {} }), 'AWS refused the call: AccessDeniedException: not authorized to perform: ecs:DescribeServices (check the credentials and the IAM policy, docs/controller.md)'],
    ['an expired token', Object.assign(new Error('The security token included in the request is expired'), { name: 'ExpiredTokenException', $metadata: {} }), 'AWS refused the call: ExpiredTokenException: The security token included in the request is expired (check the credentials and the IAM policy, docs/controller.md)'],
    ['another AWS error', Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException', $metadata: {} }), 'AWS ThrottlingException: Rate exceeded'],
  ])('%s: one line saying what to check', (_name, error, message) => {
    expect(describeAwsError(error)).toBe(message);
  });

  it('leaves errors that are not from AWS to the caller', () => {
    expect(describeAwsError(new TypeError('x is undefined'))).toBeUndefined();
    expect(describeAwsError('a string')).toBeUndefined();
  });
});
