import { readFileSync } from 'node:fs';
import { htmlReport, ratio, timelineMarkers } from '../../src/sim/report.js';
import { page, run } from '../support/report-page.js';

describe('Function: htmlReport', () => {
  it('loads nothing from the network: no script, no external stylesheet, image or font', () => {
    const html = page();
    expect(html).not.toMatch(/<script/i);
    expect(html).not.toMatch(/(src|href)\s*=/i);
    expect(html).not.toMatch(/@import|url\((?!#)/i); // url(#clip) is a reference inside the page
  });

  it('draws every run on one chart with a legend (label, else controller), axes named with units, and the markers', () => {
    const html = page();
    for (const name of ['ecs-pilot own', 'ecs-pilot own +consolidation', 'ECS tuned', 'demand (tasks asked for)']) expect(html).toContain(`>${name}<`);
    expect(html).toContain('>vCPU<');
    expect(html).toContain('>instances<');
    expect(html).toContain('>minutes since the start<');
    expect(html).toMatch(/>\d+ min</);
    expect(html).toContain('>services scaled<');
    expect(html).toContain('>spot wave: 50 % of spot<');
    expect(html).toContain('<svg width="100%"');
  });

  it('compares against the ECS managed run with ratios, and shows the version and the settings', () => {
    const html = page();
    expect(html).toContain('<th>ecs-pilot own / ECS tuned</th>');
    expect(html).toContain('<th>ecs-pilot own +consolidation / ECS tuned</th>');
    expect(html).toContain('<td class="better">×0.13</td>'); // 140 s against 1092 s
    expect(html).toContain('ecs-pilot 9.8.7');
    expect(html).toContain('<dt>targetCapacityPercent</dt><dd>100</dd>');
    expect(html).toContain('<dt>consolidation</dt><dd>true</dd>');
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
  it('names bursts, spot waves and service scaling at their minute, one marker per minute', () => {
    const markers = timelineMarkers({
      timeline: [
        { at: 60, setDesired: { service: 'web', count: 150 } },
        { at: 60, setDesired: { service: 'api', count: 100 } },
        { at: 600, runTasks: { count: 40 } as never },
        { at: 1800, spotInterruption: { group: 'spot', fraction: 0.5, overSeconds: 0 } },
      ],
    });
    expect(markers).toEqual([
      { minute: 1, label: 'services scaled' },
      { minute: 10, label: 'RunTask × 40' },
      { minute: 30, label: 'spot wave: 50 % of spot' },
    ]);
  });
});
