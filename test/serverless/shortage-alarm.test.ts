/** The capacity-shortage alarm and dashboard widget (serverless/observability.cjs), on the EMF metric the controller writes per action kind. */
const { observability } = require('../../serverless/observability.cjs') as { observability: (email?: string) => Record<string, { Type: string; Properties: any }> };

describe('Capacity shortage observability', () => {
  const resources = observability();

  it('alarms to the topic when a group is marked unavailable (the action.markGroupUnavailable EMF count)', () => {
    expect(resources.GroupUnavailableAlarm).toEqual({
      Type: 'AWS::CloudWatch::Alarm',
      Properties: expect.objectContaining({ Namespace: 'ecs-pilot', MetricName: 'action.markGroupUnavailable', Dimensions: [{ Name: 'service', Value: 'ecs-pilot' }], Statistic: 'Sum', Threshold: 0, ComparisonOperator: 'GreaterThanThreshold', AlarmActions: [{ Ref: 'AlarmTopic' }] }),
    });
  });

  it('charts the marks and the on-demand base changes', () => {
    const body = JSON.parse(resources.Dashboard!.Properties.DashboardBody['Fn::Sub']);
    const widget = body.widgets.find((w: any) => w.properties.title.startsWith('Capacity shortages'));
    expect(widget.properties.metrics.map((m: any[]) => m[1])).toEqual(['action.markGroupUnavailable', 'action.setOnDemandBase']);
  });
});
