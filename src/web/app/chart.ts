/**
 * Hashrate charts (uPlot, bundled). Colours come from the page's CSS variables so the chart follows the light/dark
 * setting; the chart resizes with its box. The container carries data-points / data-last-t so tests and people
 * can see that it moves.
 */
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { formatDifficulty, formatExactTime, formatHashrate } from './format.js';
import { type SeriesPoint, trimLeadingEmpty } from './series.js';

export type { SeriesPoint };

function cssVar(name: string): string {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim() || '#888';
}

export class HashrateChart {
  private plot: uPlot | null = null;
  private readonly resize: ResizeObserver;
  private points: SeriesPoint[] = [];

  constructor(
    private readonly box: HTMLElement,
    private readonly opts: { withNetworkDifficulty: boolean; height?: number; trimLeadingEmpty?: boolean },
  ) {
    box.classList.add('chart');
    this.resize = new ResizeObserver(() => this.plot?.setSize({ width: this.width(), height: this.height() }));
    this.resize.observe(box);
    // Colours are read when the chart is made; a theme switch rebuilds it.
    matchMedia('(prefers-color-scheme: dark)').addEventListener('change', () => this.rebuild());
  }

  private width(): number {
    return Math.max(240, Math.floor(this.box.clientWidth));
  }

  private height(): number {
    return this.opts.height ?? (window.innerWidth < 640 ? 200 : 260);
  }

  set(points: SeriesPoint[]): void {
    const sorted = [...points].sort((a, b) => a.t - b.t);
    this.points = this.opts.trimLeadingEmpty ? trimLeadingEmpty(sorted) : sorted;
    this.draw();
  }

  /** Replaces the live "now" point (the last one if it is newer than the last stored minute) or appends it. */
  pushLive(point: SeriesPoint): void {
    const last = this.points[this.points.length - 1];
    if (last && last.t >= point.t) return;
    if (last?.live) this.points.pop();
    this.points.push({ ...point, live: true });
    this.draw();
  }

  destroy(): void {
    this.resize.disconnect();
    this.plot?.destroy();
    this.plot = null;
  }

  private data(): uPlot.AlignedData {
    const t = this.points.map((p) => p.t);
    const hashrate = this.points.map((p) => p.hashrate);
    if (!this.opts.withNetworkDifficulty) return [t, hashrate];
    return [t, hashrate, this.points.map((p) => p.networkDifficulty ?? null)];
  }

  private draw(): void {
    this.box.dataset.points = String(this.points.length);
    this.box.dataset.lastT = String(this.points[this.points.length - 1]?.t ?? '');
    if (this.plot) this.plot.setData(this.data());
    else this.rebuild();
  }

  private rebuild(): void {
    this.plot?.destroy();
    const accent = cssVar('--accent');
    const second = cssVar('--accent-2');
    const grid = cssVar('--grid');
    const text = cssVar('--muted');
    const axis = (scale: string, side: 1 | 3, format: (v: number) => string): uPlot.Axis => ({
      scale,
      side,
      stroke: text,
      grid: { stroke: grid, width: 1, show: side === 3 },
      ticks: { stroke: grid, width: 1 },
      values: (_u, values) => values.map(format),
      size: 70,
    });
    const series: uPlot.Series[] = [
      { value: (_u, v) => (v === null ? '—' : formatExactTime(v * 1000)) },
      {
        label: 'Pool hashrate',
        scale: 'h',
        stroke: accent,
        width: 2,
        fill: `${accent}22`,
        points: { show: false },
        value: (_u, v) => formatHashrate(v),
      },
    ];
    const axes: uPlot.Axis[] = [{ stroke: text, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid, width: 1 } }, axis('h', 3, formatHashrate)];
    if (this.opts.withNetworkDifficulty) {
      series.push({
        label: 'Network difficulty',
        scale: 'd',
        stroke: second,
        width: 1.5,
        dash: [6, 4],
        points: { show: false },
        value: (_u, v) => formatDifficulty(v),
      });
      axes.push(axis('d', 1, formatDifficulty));
    }
    this.plot = new uPlot(
      {
        width: this.width(),
        height: this.height(),
        series,
        axes,
        scales: { x: { time: true }, h: { range: (_u, _min, max) => [0, max > 0 ? max * 1.15 : 1] } },
        legend: { live: true },
        cursor: { drag: { x: false, y: false } },
      },
      this.data(),
      this.box,
    );
  }
}
