/**
 * AWS SDK failures an operator causes (no region, no credentials, a name that does not exist, no
 * permission) as one line that says what to do, instead of a stack trace.
 */
const NOT_FOUND: Record<string, string> = {
  ClusterNotFoundException: 'the ECS cluster does not exist in this account and region (check --cluster, --region, the config)',
  ServiceNotFoundException: 'the ECS service does not exist in this cluster (check the config and the event)',
  ServiceNotActiveException: 'the ECS service is not ACTIVE',
  ResourceNotFoundException: 'the resource does not exist in this account and region',
  ValidationError: 'AWS rejected the request',
  InvalidParameterException: 'AWS rejected a parameter',
};

const NO_ACCESS = new Set(['AccessDeniedException', 'AccessDenied', 'UnauthorizedOperation', 'UnrecognizedClientException', 'InvalidClientTokenId', 'ExpiredTokenException', 'ExpiredToken']);

/** The message for an SDK error, or undefined when the error is not one of these. */
export function describeAwsError(e: unknown): string | undefined {
  if (!(e instanceof Error)) return undefined;
  if (/Region is missing/i.test(e.message)) return 'no AWS region: pass --region, set `region:` in the config, or set AWS_REGION';
  if (e.name === 'CredentialsProviderError') return `no AWS credentials (${e.message}): set AWS_PROFILE, run \`aws configure\` or \`aws sso login\`, or export AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY`;
  if (!('$metadata' in e)) return undefined;
  if (NO_ACCESS.has(e.name)) return `AWS refused the call: ${e.name}: ${e.message} (check the credentials and the IAM policy, docs/controller.md)`;
  const hint = NOT_FOUND[e.name];
  return `AWS ${e.name}: ${e.message}${hint ? ` — ${hint}` : ''}`;
}
