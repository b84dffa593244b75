import { readFileSync } from 'node:fs';
import { htmlReport, markerGroups, minuteInterval, ratio, timelineMarkers } from '../../src/sim/report.js';
import { benchPage, page, run } from '../support/report-page.js';

/** The table row named `name`: its cells' text, tags removed. */
const row = (html: string, name: string): string[] | undefined => {
  const tr = html.split('<tr>').find((r) => r.startsWith(`<td>${name}</td>`));
  return tr?.split('</td>').slice(0, -1).map((c) => c.replace(/<[^>]+>/g, '').trim());
};

describe('Function: htmlReport', () => {
  it('loads nothing from the network: no script, no external stylesheet, image or font', () => {
    const html = page();
    expect(html).not.toMatch(/<script/i);
    expect(html).not.toMatch(/(src|href)\s*=/i);
    expect(html).not.toMatch(/@import|url\((?!#)/i); // url(#clip) is a reference inside the page
  });

  it('draws every run on one chart with a legend (label, else controller), axes named with units, and the markers numbered', () => {
    const html = page();
    for (const name of ['ecs-pilot own', 'ecs-pilot own +consolidation', 'ECS tuned', 'asked for (desired tasks)']) expect(html).toContain(`>${name}<`);
    expect(html).toContain('>vCPU<');
    expect(html).toContain('>instances<');
    expect(html).toContain('>minutes since the start<');
    expect(html).toMatch(/>\d+ min</);
    expect(html).toContain('<span class="mk">1</span> 1 min: api 3 → 100, worker 3 → 50, web 3 → 150</li>');
    expect(html).toContain('<span class="mk">2</span> 30–31 min: spot wave: 50 % of spot, RunTask × 40</li>');
    expect(html).toContain('<svg width="100%"');
  });

  it('compares against the baseline run with a ratio after each figure, and shows the version and the settings', () => {
    const html = page();
    expect(html).toContain('<th>ECS tuned<br><span class="base">baseline</span></th>');
    expect(row(html, 'last task RUNNING, after the first submission')).toEqual(['last task RUNNING, after the first submission', 's', '140 ×0.13', '140 ×0.13', '1092']); // 140 s against 1092 s
    expect(html).toContain('140 <span class="ratio better">×0.13</span>');
    expect(html).toContain('ecs-pilot 9.8.7');
    expect(html).toContain('<dt>targetCapacityPercent</dt><dd>100</dd>');
    expect(html).toContain('<dt>consolidation</dt><dd>true</dd>');
  });

  it('labels say what they count: tasks asked for, of which reached RUNNING, running at the end (issue 24)', () => {
    const html = page();
    expect(row(html, 'tasks asked for during the run (scale-ups, RunTask, restarts of lost tasks)')).toEqual(['tasks asked for during the run (scale-ups, RunTask, restarts of lost tasks)', 'tasks', '291', '291', '291']);
    expect(row(html, '… of which reached RUNNING')?.slice(2)).toEqual(['291', '291', '291']);
    expect(row(html, 'tasks running at the end')?.slice(2)).toEqual(['3', '3', '3']);
  });

  it('shows never placed and missing task-seconds, with their ratios', () => {
    const html = page();
    expect(row(html, 'tasks never placed (wanted at the end, never RUNNING)')?.slice(2)).toEqual(['0 none', '0 none', '2']);
    expect(row(html, 'missing task-seconds (wanted, not running)')?.slice(1)).toEqual(['task-s', '67815 ×0.13', '67815 ×0.13', '528957']);
  });

  it('says "n/a (no prices)" where the snapshot has no prices, not $0.00, and compares no cost then', () => {
    const unpriced = (r: ReturnType<typeof run>, cost: number, hours: number) => ({ ...r, metrics: { ...r.metrics, cost, unpricedInstanceHours: hours } });
    const html = htmlReport('t', [{ scenario: 's', description: '', results: [unpriced(run('ecs-pilot', 1), 0, 10), unpriced(run('ecs-pilot', 2, { label: 'part' }), 1.5, 4), run('ecs-managed', 1)] }]);
    expect(row(html, 'cost')).toEqual(['cost', '$', 'n/a (no prices) n/a', '1.50 + 4.00 h with no price n/a', '2.00']);
    expect(html).not.toContain('>0.00<');
  });

  it('draws the demand as asked for (askedVcpu), not the tasks ECS has created', () => {
    // Only the asked-for demand reaches 500 vCPU: the axis must go that far.
    const r = run('ecs-pilot', 1);
    const html = htmlReport('t', [{ scenario: 's', description: '', results: [{ ...r, series: r.series.map((p) => ({ ...p, askedVcpu: 500 })) }] }]);
    expect(html).toContain('>500<');
    expect(htmlReport('t', [{ scenario: 's', description: '', results: [r] }])).not.toContain('>500<');
  });

  it('bench page: one column per run (no ratio columns), ECS tuned the baseline, the store runs only where they differ', () => {
    const html = benchPage().split('<section>')[1] ?? '';
    const head = html.split('\n').find((l) => l.startsWith('<table><tr>')) ?? '';
    expect(head.match(/<th>/g)).toHaveLength(2 + 6);
    expect(head).not.toContain(' / ');
    expect(head).toContain('<th>ECS tuned<br><span class="base">baseline</span></th>');
    expect(html).not.toContain('>ecs-pilot own (store)<');
    expect(html).toContain('<li>ecs-pilot own: the same figures</li>');
    expect(html).toContain('<li>ecs-pilot own +cons.: instance-hours 11.50 (11.00)</li>');
  });

  it('says a single run is one run, not a comparison', () => {
    const html = htmlReport('one', [{ scenario: 'burst', description: '', results: [run('ecs-pilot', 1)] }]);
    expect(html).toContain('One run, under ecs-pilot.');
    expect(html).not.toContain(' / ecs-pilot</th>');
  });

  it('keeps htmlReport(title, sections) callable as before, with the package version by default', () => {
    const html = htmlReport('t', []);
    expect(html).toContain('<h1>t</h1>');
    expect(html).toContain(`ecs-pilot ${JSON.parse(readFileSync('package.json', 'utf8')).version}, simulated`);
  });
});

describe('Function: ratio', () => {
  it.each([
    [140, 1100, '×0.13'],
    [3, 1000, '×0.0030'],
    [0, 18, 'none'],
    [5, 0, 'n/a'],
    [0, 0, '='],
    [2200, 1100, '×2.00'],
  ])('ratio(%d, %d) = %s (never ×0.00)', (a, b, expected) => {
    expect(ratio(a, b)).toBe(expected);
  });
});

describe('Function: timelineMarkers', () => {
  const snapshot = { version: 1, cluster: 'c', instanceTypes: {}, groups: [], instances: [], pending: [] } as never;
  it('names bursts, RunTask calls, spot waves and shortages at their minute; small service steps are left to the demand line', () => {
    const markers = timelineMarkers(
      {
        services: [{ name: 'web', desired: 3, cpu: 256, memoryMiB: 512 } as never],
        timeline: [
          { at: 60, setDesired: { service: 'web', count: 150 } },
          { at: 120, setDesired: { service: 'web', count: 155 } },
          { at: 600, runTasks: { count: 40 } as never },
          { at: 1800, spotInterruption: { group: 'spot', fraction: 0.5, overSeconds: 0 } },
          { at: 1800, capacityShortage: { group: 'spot', forSeconds: 600, error: 'spot-capacity' } as never },
        ],
      },
      snapshot,
    );
    expect(markers).toEqual([
      { minute: 1, label: 'web 3 → 150' },
      { minute: 10, label: 'RunTask × 40' },
      { minute: 30, label: 'spot wave: 50 % of spot' },
      { minute: 30, label: 'spot short (spot-capacity) 10 min' },
    ]);
  });
});

describe('Function: markerGroups', () => {
  it('one line per minute, the labels of the section and of the runs together, each once; a minute closer than 1/50 of the axis joins the group', () => {
    const r = (markers: Array<{ minute: number; label: string }>) => run('ecs-pilot', 1, { markers });
    const groups = markerGroups({ markers: [{ minute: 10, label: 'a' }], results: [r([{ minute: 10, label: 'a' }, { minute: 10, label: 'b' }, { minute: 11, label: 'c' }]), r([{ minute: 40, label: 'd' }])] });
    expect(groups).toEqual([
      { minute: 10, lastMinute: 11, labels: ['a', 'b', 'c'] },
      { minute: 40, lastMinute: 40, labels: ['d'] },
    ]);
  });
});

describe('Function: minuteInterval', () => {
  it.each([
    [20, 2],
    [60, 10],
    [90, 10],
    [1440, 180],
  ])('%d minutes: a tick every %d, ending on the last minute', (max, interval) => {
    expect(minuteInterval(max)).toBe(interval);
  });
});
