// What a metric series measures, guessed from its name the way Prometheus names them: the unit for axes and
// legends, and whether it is a counter (shown as a per-second rate) or a gauge (shown as is).

export type SeriesUnit = 'seconds' | 'milliseconds' | 'bytes' | 'percent' | 'ratio' | 'per-second' | 'count';
export type SeriesKind = 'counter' | 'gauge';

export interface SeriesMeaning {
  readonly kind: SeriesKind;
  /** Unit of the value as stored; a counter's chart shows `per-second` of it. */
  readonly unit: SeriesUnit;
}

export function seriesMeaning(name: string): SeriesMeaning {
  const n = name.toLowerCase();
  const kind: SeriesKind = /(_total|_count|_sum)$/.test(n) ? 'counter' : 'gauge';
  const base = n.replace(/(_total|_count|_sum)$/, '');
  let unit: SeriesUnit = 'count';
  if (/_seconds$|_duration$|_latency$|_secs?$/.test(base)) unit = 'seconds';
  else if (/_ms$|_milliseconds$/.test(base)) unit = 'milliseconds';
  else if (/_bytes$|_memory$|_rss$|_disk$/.test(base)) unit = 'bytes';
  else if (/_percent$|_pct$|_cpu$/.test(base)) unit = 'percent';
  else if (/_ratio$/.test(base)) unit = 'ratio';
  else if (/_per_(second|sec|s)$|_rate$/.test(base)) unit = 'per-second';
  return { kind, unit };
}

const BYTE_UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];

/** Formats a value for a legend or axis: short, with its unit. */
export function formatValue(value: number | null | undefined, unit: SeriesUnit, perSecond = false): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '–';
  const suffix = perSecond ? '/s' : '';
  const num = (v: number, digits = 2): string => {
    const abs = Math.abs(v);
    if (abs !== 0 && (abs >= 1e6 || abs < 1e-3)) return v.toExponential(2);
    return Number(v.toFixed(abs >= 100 ? 0 : digits)).toLocaleString('en-US', { maximumFractionDigits: digits });
  };
  switch (unit) {
    case 'seconds':
      if (!perSecond && Math.abs(value) < 1) return `${num(value * 1000)} ms`;
      return `${num(value)} s${suffix}`;
    case 'milliseconds': return `${num(value)} ms${suffix}`;
    case 'bytes': {
      let v = value, i = 0;
      while (Math.abs(v) >= 1024 && i < BYTE_UNITS.length - 1) { v /= 1024; i++; }
      return `${num(v)} ${BYTE_UNITS[i]}${suffix}`;
    }
    case 'percent': return `${num(value)} %${suffix}`;
    case 'ratio': return `${num(value * 100)} %${suffix}`;
    case 'per-second': return `${num(value)}/s`;
    case 'count': return `${num(value)}${suffix}`;
  }
}
