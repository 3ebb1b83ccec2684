// CPU time of the other processes a sync keeps busy, from /proc (Linux): Postgres and the
// simulator share the machine with the syncing process, so their CPU is where the rest of
// a sync's wall time goes. Postgres backends exit with their connections; the postmaster
// reaps them, which adds their time to its children's time (cutime/cstime), so the sum over
// every postgres process including children's time counts those too.
import { readdirSync, readFileSync } from "node:fs";

const TICK_MS = 10; // USER_HZ is 100 on Linux

function statFields(pid: string): { comm: string; fields: string[] } | null {
  try {
    const st = readFileSync(`/proc/${pid}/stat`, "utf8");
    const close = st.lastIndexOf(")");
    return { comm: st.slice(st.indexOf("(") + 1, close), fields: st.slice(close + 2).split(" ") };
  } catch {
    return null; // gone meanwhile
  }
}

/** utime + stime (+ reaped children's, when asked) of one process, in ms. */
function cpuOf(fields: string[], withChildren: boolean): number {
  const n = (i: number): number => Number(fields[i] ?? 0);
  // fields from state (index 0): utime 11, stime 12, cutime 13, cstime 14
  return (n(11) + n(12) + (withChildren ? n(13) + n(14) : 0)) * TICK_MS;
}

/** Every postgres process's CPU, with reaped backends; null where /proc is missing. */
export function postgresCpuMs(): number | null {
  let entries: string[];
  try {
    entries = readdirSync("/proc");
  } catch {
    return null;
  }
  let total = 0;
  for (const pid of entries) {
    if (!/^\d+$/.test(pid)) continue;
    const s = statFields(pid);
    if (s?.comm === "postgres") total += cpuOf(s.fields, true);
  }
  return total;
}

/** One process's own CPU in ms (null when it is gone or /proc is missing). */
export function processCpuMs(pid: number | undefined): number | null {
  if (pid === undefined) return null;
  const s = statFields(String(pid));
  return s ? cpuOf(s.fields, false) : null;
}
