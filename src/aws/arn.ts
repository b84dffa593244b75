/**
 * Names out of AWS ARNs, with @aws-sdk/util-arn-parser; a plain name is returned as it is.
 *
 * @example
 * asgNameOf('arn:aws:autoscaling:us-east-1:123:autoScalingGroup:uuid:autoScalingGroupName/web') // 'web'
 * familyOf('arn:aws:ecs:us-east-1:123:task-definition/report:3') // 'report'
 */
import { parse, validate } from '@aws-sdk/util-arn-parser';

/** The resource part of an ARN (`task-definition/report:3`), or the value when it is no ARN. */
function resourceOf(value: string): string {
  return validate(value) ? parse(value).resource : value;
}

/** An Auto Scaling group's name from its ARN (`…:autoScalingGroupName/<name>`). */
export function asgNameOf(arn: string): string | undefined {
  const resource = resourceOf(arn);
  const marker = 'autoScalingGroupName/';
  const at = resource.indexOf(marker);
  return at >= 0 ? resource.slice(at + marker.length) : undefined;
}

/** `report`, `report:3` or `arn:…:task-definition/report:3` → `report` */
export function familyOf(taskDefinition: string): string {
  const resource = resourceOf(taskDefinition);
  const name = resource.startsWith('task-definition/') ? resource.slice('task-definition/'.length) : resource;
  return name.split(':')[0] ?? name;
}
