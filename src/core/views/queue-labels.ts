// How queue counts read in one line ("12 waiting · 3 active · 5 failed") and in which order states appear.

/** Reading order of BullMQ-style states; other systems' states follow alphabetically. */
export const STATE_ORDER = ['waiting', 'active', 'delayed', 'prioritized', 'waiting-children', 'paused', 'completed', 'failed'] as const;

export function orderedStates(counts: Readonly<Record<string, number>>): string[] {
  const known = STATE_ORDER.filter((s) => s in counts);
  const others = Object.keys(counts).filter((s) => !(STATE_ORDER as readonly string[]).includes(s)).sort();
  return [...known, ...others];
}

export function countsSummary(counts: Readonly<Record<string, number>>, maxParts = 4): string {
  const parts = orderedStates(counts).filter((s) => (counts[s] ?? 0) > 0).map((s) => `${formatCount(counts[s] ?? 0)} ${s}`);
  if (parts.length === 0) return 'empty';
  return parts.length > maxParts ? `${parts.slice(0, maxParts).join(' · ')} · …` : parts.join(' · ');
}

export function formatCount(n: number): string {
  if (n < 10_000) return String(n);
  // The unit is chosen by the rounded value, so 99 960 reads "100k" (not "100.0k") and 999 600 "1.0M" (not "1000k").
  const tenths = (n / 1000).toFixed(1);
  if (Number(tenths) < 100) return `${tenths}k`;
  const thousands = (n / 1000).toFixed(0);
  if (Number(thousands) < 1000) return `${thousands}k`;
  return `${(n / 1_000_000).toFixed(1)}M`;
}

export function formatAgo(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s}s ago`;
  if (s < 3600) return `${Math.floor(s / 60)}m ago`;
  if (s < 86_400) return `${Math.floor(s / 3600)}h ago`;
  return `${Math.floor(s / 86_400)}d ago`;
}

/** A worker's display name: systems that number their workers (Nexus: `0`, `1`…) read as "worker 1". */
export function workerLabel(id: string): string {
  return /^\d+$/.test(id) ? `worker ${id}` : id;
}
