/**
 * The HTML report as headless Chromium lays it out (the browser tier: Debian's chromium, which .ci/run
 * installs; skipped with a warning where it is missing).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { benchPage, page } from '../support/report-page.js';

const chromium = ((): string | undefined => {
  try {
    return execFileSync('sh', ['-c', 'command -v chromium'], { encoding: 'utf8' }).trim() || undefined;
  } catch {
    return undefined;
  }
})();
if (!chromium) console.warn('report-browser.test: chromium is not installed (apt-get install chromium; .ci/run installs it): skipping the headless-browser check');
const inChromium = chromium ? it : it.skip;

interface Box {
  left: number;
  top: number;
  right: number;
  bottom: number;
}
interface Chart {
  width: number;
  height: number;
  strokes: string[];
  texts: string[];
  /** Every visible text with its box on the page (rotation included). */
  boxes: Array<Box & { text: string }>;
  /** The box around every drawn line: the plot. */
  plot: Box;
}
interface Probe {
  charts: Chart[];
  /** Each table row's cells as the browser shows them. */
  rows: string[][];
  heads: string[];
}

// The page has no script; the test appends one that measures what the browser drew.
const PROBE = `<script>
  const box = (r) => ({ left: r.left, top: r.top, right: r.right, bottom: r.bottom });
  const charts = [...document.querySelectorAll('svg')].map((svg) => {
    const rect = svg.getBoundingClientRect();
    const lines = [...svg.querySelectorAll('path')].filter((p) => p.getAttribute('fill') === 'none' && p.getAttribute('stroke') && p.getTotalLength() > 100);
    const strokes = [...new Set(lines.map((p) => p.getAttribute('stroke')))];
    const shown = [...svg.querySelectorAll('text')].filter((t) => t.getBBox().width > 0);
    const boxes = shown.map((t) => ({ text: t.textContent, ...box(t.getBoundingClientRect()) }));
    const lb = lines.map((p) => p.getBoundingClientRect());
    const plot = { left: Math.min(...lb.map((b) => b.left)), top: Math.min(...lb.map((b) => b.top)), right: Math.max(...lb.map((b) => b.right)), bottom: Math.max(...lb.map((b) => b.bottom)) };
    return { width: Math.round(rect.width), height: Math.round(rect.height), strokes, texts: shown.map((t) => t.textContent), boxes, plot };
  });
  const rows = [...document.querySelectorAll('tr')].map((tr) => [...tr.querySelectorAll('td')].map((td) => td.innerText.trim()));
  const heads = [...document.querySelectorAll('th')].map((th) => th.innerText.replace(/\\s+/g, ' ').trim());
  const out = document.createElement('pre');
  out.id = 'probe';
  out.textContent = JSON.stringify({ charts, rows, heads });
  document.body.append(out);
</script>`;

function render(html: string): Probe {
  const dir = mkdtempSync(join(tmpdir(), 'ecs-pilot-report-'));
  try {
    const file = join(dir, 'report.html');
    writeFileSync(file, html.replace('</body>', `${PROBE}</body>`));
    const dom = execFileSync(
      chromium as string,
      ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', `--user-data-dir=${join(dir, 'profile')}`, '--window-size=1200,2000', '--dump-dom', `file://${file}`],
      { encoding: 'utf8', timeout: 120_000, stdio: ['ignore', 'pipe', 'ignore'] },
    );
    const json = /<pre id="probe">(.*?)<\/pre>/s.exec(dom)?.[1];
    if (!json) throw new Error('the probe wrote nothing');
    return JSON.parse(json.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&amp;/g, '&')) as Probe;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const overlap = (a: Box, b: Box): boolean => Math.min(a.right, b.right) - Math.max(a.left, b.left) > 1 && Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top) > 1;

/** Pairs of texts drawn over each other. */
const overlapping = (c: Chart): string[] => c.boxes.flatMap((a, i) => c.boxes.slice(i + 1).filter((b) => overlap(a, b)).map((b) => `"${a.text}" over "${b.text}"`));

describe('Report in headless Chromium', () => {
  inChromium(
    'lays out the charts: every run a visible line, axes with tick labels, a legend beside the plot, no text over another',
    () => {
      const { charts } = render(page());
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
        // Markers: one numbered label per group (minute 1: three bursts; minutes 30–31: a spot wave and a RunTask).
        expect(c.texts).toEqual(expect.arrayContaining(['1', '2']));
        expect(overlapping(c)).toEqual([]);
      }
      expect(charts[0]?.texts).toContain('vCPU');
      expect(charts[0]?.texts).toContain('asked for (desired tasks)');
    },
    180_000,
  );

  inChromium(
    'the table as shown: what each count is, the baseline, the new rows (issue 24)',
    () => {
      const { rows, heads } = render(page());
      const row = (name: string) => rows.find((r) => r[0] === name);
      expect(heads).toEqual(['metric', 'unit', 'ecs-pilot own', 'ecs-pilot own +consolidation', 'ECS tuned baseline']);
      expect(row('tasks running at the end')).toEqual(['tasks running at the end', 'tasks', '3', '3', '3']);
      expect(row('… of which reached RUNNING')?.slice(2)).toEqual(['291', '291', '291']);
      expect(row('tasks never placed (wanted at the end, never RUNNING)')?.slice(2)).toEqual(['0 none', '0 none', '2']);
      expect(row('missing task-seconds (wanted, not running)')?.slice(2)).toEqual(['67815 ×0.13', '67815 ×0.13', '528957']);
    },
    180_000,
  );

  inChromium(
    'bench page (six runs, then ten): the legend stands outside the plot, no text over another, one column per run',
    () => {
      const { charts, heads } = render(benchPage());
      expect(charts).toHaveLength(4);
      expect(heads).toHaveLength(2 + 6 + 2 + 10);
      for (const c of charts) {
        const legend = c.boxes.filter((b) => b.text.startsWith('ecs-pilot ') || b.text.startsWith('ECS '));
        expect(legend.length).toBeGreaterThanOrEqual(6);
        expect(legend.filter((b) => overlap(b, c.plot)).map((b) => b.text)).toEqual([]);
        expect(overlapping(c)).toEqual([]);
      }
    },
    180_000,
  );
});
