// CPU time of this process's main thread alone (Linux: /proc/self/task/<pid>/stat, utime + stime), for benches
// whose subject runs part of its work on a worker thread: process.cpuUsage() adds every thread, and event-loop
// utilization counts the time a busy thread waited for a core. Undefined where /proc is not available.
import { readFileSync } from 'node:fs';

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
