import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { htmlReport, ratio, timelineMarkers, type ReportRun } from '../../src/sim/report.js';

function run(controller: string, scale: number, extra: Partial<ReportRun> = {}): ReportRun {
  return {
    controller,
    metrics: { tasksSubmitted: 300, tasksMoved: 0, tasksRunning: 300, latencyP50: 60 * scale, latencyP95: 120 * scale, latencyMax: 140 * scale, allPlacedSeconds: 140 * scale, instanceHours: 10 * scale, cost: 2 * scale, scalingActions: 3, interruptedTasks: controller === 'ecs-managed' ? 18 : 0, lostTasks: 0, killedByScaleIn: 0 },
    series: Array.from({ length: 61 }, (_, m) => ({ minute: m, instances: 3 + Math.min(m, 20 * scale), capacityVcpu: 12 + 4 * Math.min(m, 20 * scale), demandVcpu: m >= 1 ? 80 : 4 })),
    ...extra,
  };
}

const RUNS = [
  run('ecs-pilot', 1, { label: 'ecs-pilot own', settings: { mode: 'own', targetCapacityPercent: 100 } }),
  run('ecs-pilot', 1, { label: 'ecs-pilot own +consolidation', markers: [{ minute: 30, label: 'spot wave: 50 % of spot' }] }),
  run('ecs-managed', 7.8, { label: 'ECS tuned' }),
];
const MARKERS = [{ minute: 1, label: 'services scaled' }];

const page = (): string => htmlReport('ecs-pilot vs ECS managed scaling', [{ scenario: 'burst', description: '300 tasks at once', results: RUNS, markers: MARKERS }], { version: '9.8.7', settings: { scenario: 'burst.yml', consolidation: true } });

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

const chromium = ((): string | undefined => {
  try {
    return execFileSync('sh', ['-c', 'command -v chromium'], { encoding: 'utf8' }).trim() || undefined;
  } catch {
    return undefined;
  }
})();
if (!chromium) console.warn('report.test: chromium is not installed (apt-get install chromium; .ci/run installs it): skipping the headless-browser check');
const inChromium = chromium ? it : it.skip;

describe('Report in headless Chromium', () => {
  inChromium(
    'lays out the charts: every run a visible line, axes with tick labels, a legend',
    () => {
      const dir = mkdtempSync(join(tmpdir(), 'ecs-pilot-report-'));
      try {
        // The page has no script; the test appends one that measures what the browser drew.
        const probe = `<script>
          const svgs = [...document.querySelectorAll('svg')];
          const result = svgs.map((svg) => {
            const box = svg.getBoundingClientRect();
            const lines = [...svg.querySelectorAll('path')].filter((p) => p.getAttribute('fill') === 'none' && p.getAttribute('stroke') && p.getTotalLength() > 100);
            const strokes = [...new Set(lines.map((p) => p.getAttribute('stroke')))];
            const texts = [...svg.querySelectorAll('text')].filter((t) => t.getBBox().width > 0).map((t) => t.textContent);
            return { width: Math.round(box.width), height: Math.round(box.height), strokes, texts };
          });
          const out = document.createElement('pre');
          out.id = 'probe';
          out.textContent = JSON.stringify(result);
          document.body.append(out);
        </script>`;
        const file = join(dir, 'report.html');
        writeFileSync(file, page().replace('</body>', `${probe}</body>`));
        const dom = execFileSync(
          chromium as string,
          ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', `--user-data-dir=${join(dir, 'profile')}`, '--window-size=1200,2000', '--dump-dom', `file://${file}`],
          { encoding: 'utf8', timeout: 120_000, stdio: ['ignore', 'pipe', 'ignore'] },
        );
        const json = /<pre id="probe">(.*?)<\/pre>/s.exec(dom)?.[1];
        expect(json).toBeDefined();
        const charts = JSON.parse((json as string).replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&amp;/g, '&')) as Array<{ width: number; height: number; strokes: string[]; texts: string[] }>;
        expect(charts).toHaveLength(2);
        for (const c of charts) {
          expect(c.width).toBeGreaterThan(600);
          expect(c.height).toBeGreaterThan(200);
          // One visible line per run (its colour) at least.
          for (const colour of ['#0072b2', '#009e73', '#d55e00']) expect(c.strokes).toContain(colour);
          for (const name of ['ecs-pilot own', 'ecs-pilot own +consolidation', 'ECS tuned']) expect(c.texts).toContain(name);
          expect(c.texts).toContain('minutes since the start');
          expect(c.texts.filter((t) => /^\d+ min$/.test(t)).length).toBeGreaterThan(3);
          expect(c.texts).toContain('0');
        }
        expect(charts[0]?.texts).toContain('vCPU');
        expect(charts[0]?.texts).toContain('spot wave: 50 % of spot');
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
    180_000,
  );
});
