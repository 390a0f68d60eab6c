// The result table: one row per figure, printed as Markdown (pasteable into BENCHMARKS.md).
import { fmt, type Summary } from './stats.js';

export interface Row {
  section: string;
  metric: string;
  /** "median (min–max)" or a single value, already formatted */
  value: string;
  /** Baseline measured in the same run (or reference figure), formatted */
  baseline?: string;
  ratio?: string;
  target?: string;
  /** true = met, false = missed, undefined = informational */
  met?: boolean;
}

export const unitFmt = (v: number, unit: string) => `${fmt(v)} ${unit}`;

export function med(s: Summary, unit: string, scale = 1): string {
  return `${fmt(s.median * scale)} ${unit} (${fmt(s.min * scale)}–${fmt(s.max * scale)})`;
}

export function ratio(a: number, b: number, suffix = '×'): string {
  return `${fmt(a / b)}${suffix}`;
}

export function renderTable(rows: Row[]): string {
  const head = ['Section', 'Metric', 'Measured: median (min–max)', 'Baseline (same run) / reference', 'Ratio', 'Target', 'Status'];
  const lines = [`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`];
  for (const r of rows) {
    const status = r.met === undefined ? '' : r.met ? 'met' : '**MISSED**';
    lines.push(`| ${[r.section, r.metric, r.value, r.baseline ?? '', r.ratio ?? '', r.target ?? '', status].map((c) => c.replaceAll('|', '\\|')).join(' | ')} |`);
  }
  return lines.join('\n');
}
