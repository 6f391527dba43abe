// One keyspace walk for several patterns: a source names the patterns it needs (each with its own cap), the
// walk sends one SCAN cursor loop with a MATCH that covers them all, and every batch SCAN returns is sorted
// here into the patterns it matches. Pure: the SCAN loop itself is in src/sources/redis/redis-values.ts.
import { compileRedisGlob, scanMatchFor, type KeyMatcher } from './redis-glob';

export interface KeyPattern {
  /** A Redis glob (escape literal parts with `escapeRedisGlob`). */
  readonly pattern: string;
  /** Most keys kept for this pattern; more matches set `partial`. */
  readonly maxKeys: number;
}

export interface PatternKeys {
  readonly keys: string[];
  /** True when this pattern matched more keys than `maxKeys`, or the walk stopped before the end with this pattern full. */
  readonly partial: boolean;
}

export type KeyWalkResult<N extends string> = { readonly [P in N]: PatternKeys };

interface Slot {
  readonly name: string;
  readonly matches: KeyMatcher;
  readonly maxKeys: number;
  readonly keys: string[];
  partial: boolean;
}

export class KeyWalkClassifier<N extends string> {
  /** SCAN MATCH argument for the walk, or undefined for a walk without MATCH. */
  readonly match: string | undefined;
  private readonly slots: Slot[];
  /** Keys kept so far: SCAN may return a key twice. */
  private readonly kept = new Set<string>();
  private open: number;

  constructor(patterns: { readonly [P in N]: KeyPattern }) {
    const entries = Object.entries(patterns) as [N, KeyPattern][];
    this.slots = entries.map(([name, p]) => ({ name, matches: compileRedisGlob(p.pattern), maxKeys: Math.max(0, p.maxKeys), keys: [], partial: false }));
    this.match = scanMatchFor(entries.map(([, p]) => p.pattern));
    this.open = this.slots.filter((s) => s.maxKeys > 0).length;
  }

  /** Sorts one SCAN batch; false once every pattern is full (the walk may stop). */
  add(batch: readonly string[]): boolean {
    for (const key of batch) {
      if (this.kept.has(key)) continue;
      let keep = false;
      for (const slot of this.slots) {
        if (!slot.matches(key)) continue;
        if (slot.keys.length < slot.maxKeys) {
          slot.keys.push(key);
          keep = true;
          if (slot.keys.length === slot.maxKeys) this.open--;
        } else {
          slot.partial = true;
        }
      }
      if (keep) this.kept.add(key);
    }
    return this.open > 0;
  }

  /** The keys per pattern; `completed` says whether the cursor walk reached the end of every node. */
  result(completed: boolean): KeyWalkResult<N> {
    const out: Record<string, PatternKeys> = {};
    for (const s of this.slots) out[s.name] = { keys: s.keys, partial: s.partial || (!completed && s.keys.length >= s.maxKeys) };
    return out as KeyWalkResult<N>;
  }
}
