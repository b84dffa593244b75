/**
 * The HTML report as headless Chromium lays it out (the browser tier: Debian's chromium, which .ci/run
 * installs; skipped with a warning where it is missing).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { page } from '../support/report-page.js';

const chromium = ((): string | undefined => {
  try {
    return execFileSync('sh', ['-c', 'command -v chromium'], { encoding: 'utf8' }).trim() || undefined;
  } catch {
    return undefined;
  }
})();
if (!chromium) console.warn('report-browser.test: chromium is not installed (apt-get install chromium; .ci/run installs it): skipping the headless-browser check');
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
