// CPU time of this process's main thread alone (Linux: /proc/self/task/<pid>/stat, utime + stime), for benches
// whose subject runs part of its work on a worker thread: process.cpuUsage() adds every thread, and event-loop
// utilization counts the time a busy thread waited for a core. Undefined where /proc is not available.
import { readdirSync, readFileSync } from 'node:fs';

/** Clock ticks per second of /proc times (USER_HZ: 100 on Linux everywhere in practice). */
const TICKS_PER_SECOND = 100;

export function mainThreadCpuMs(): number | undefined {
  try {
    const stat = readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces, in parentheses): utime and stime are 14th and 15th.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / TICKS_PER_SECOND;
  } catch {
    return undefined;
  }
}

/** CPU time (ms) of every thread of this process, by its name (`/proc/self/task/<tid>/comm`; V8's GC helpers and
 *  libuv's pool share names, so their times add up; with BENCH_TIDS=1 in the environment each thread is listed on
 *  its own as `name#tid`); undefined where /proc is not available. */
export function threadCpuMsByName(): Map<string, number> | undefined {
  try {
    const byName = new Map<string, number>();
    for (const tid of readdirSync('/proc/self/task')) {
      const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
      const name = tid === String(process.pid) ? 'main' : `${stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'))}${process.env['BENCH_TIDS'] ? `#${tid}` : ''}`;
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      byName.set(name, (byName.get(name) ?? 0) + ((Number(fields[11]) + Number(fields[12])) * 1000) / TICKS_PER_SECOND);
    }
    return byName;
  } catch {
    return undefined;
  }
}

/** What each thread name spent between two `threadCpuMsByName` readings, in µs per `count` (threads that spent
 *  nothing left out), e.g. `main 2.10, V8 DefaultWorke 1.40`. Threads that ended in between are not counted. */
export function threadCpuPerItem(before: Map<string, number> | undefined, after: Map<string, number> | undefined, count: number): string {
  if (!before || !after) return 'n/a';
  const parts: string[] = [];
  for (const [name, ms] of after) {
    const spent = ms - (before.get(name) ?? 0);
    if (spent > 0) parts.push(`${name} ${((spent * 1000) / count).toFixed(2)}`);
  }
  return parts.join(', ');
}
