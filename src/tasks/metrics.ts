// ctr tasks metrics: the cgroup statistics inside the Metric's Any (v1 or v2 cgroups),
// as ctr's table or as the Go structs' indented JSON.

import { Metrics as V1Metrics } from '../api/github.com/containerd/cgroups/stats/v1/metrics.js';
import { Metrics as V2Metrics } from '../api/github.com/containerd/cgroups/v2/stats/metrics.js';
import type { Metric } from '../api/github.com/containerd/containerd/api/types/metrics.js';
import { marshalIndent } from '../format/json.js';
import { PS, table } from '../format/presets.js';
import { timeString, UTC } from '../format/time.js';
import { unknownType } from './anytypes.js';
import { message } from './gojson.js';

export type CgroupMetrics = { v1: V1Metrics; v2?: undefined } | { v1?: undefined; v2: V2Metrics };

const V1_URL = 'io.containerd.cgroups.v1.Metrics';
const V2_URL = 'io.containerd.cgroups.v2.Metrics';

/** typeurl.UnmarshalAny of the data, which ctr then requires to be one of the two cgroup types. */
export function decodeMetrics(m: Metric): CgroupMetrics {
  const data = m.data;
  if (!data) throw new Error('cannot convert metric data to cgroups.Metrics or windows.Statistics');
  if (data.typeUrl === V1_URL) return { v1: V1Metrics.decode(data.value) };
  if (data.typeUrl === V2_URL) return { v2: V2Metrics.decode(data.value) };
  throw unknownType(data.typeUrl);
}

/** Go's %v of a []uint64. */
const list = (xs: readonly bigint[]) => `[${xs.join(' ')}]`;

function v1Rows(d: V1Metrics): string[] {
  const rows = ['METRIC\tVALUE\t'];
  if (d.memory) {
    rows.push(
      `memory.usage_in_bytes\t${d.memory.usage?.usage ?? 0n}\t`,
      `memory.limit_in_bytes\t${d.memory.usage?.limit ?? 0n}\t`,
      `memory.stat.cache\t${d.memory.totalCache}\t`,
    );
  }
  if (d.cpu) {
    rows.push(`cpuacct.usage\t${d.cpu.usage?.total ?? 0n}\t`, `cpuacct.usage_percpu\t${list(d.cpu.usage?.perCpu ?? [])}\t`);
  }
  if (d.pids) rows.push(`pids.current\t${d.pids.current}\t`, `pids.limit\t${d.pids.limit}\t`);
  return rows;
}

function v2Rows(d: V2Metrics): string[] {
  const rows = ['METRIC\tVALUE\t'];
  if (d.pids) rows.push(`pids.current\t${d.pids.current}\t`, `pids.limit\t${d.pids.limit}\t`);
  if (d.cpu) {
    const c = d.cpu;
    rows.push(
      `cpu.usage_usec\t${c.usageUsec}\t`,
      `cpu.user_usec\t${c.userUsec}\t`,
      `cpu.system_usec\t${c.systemUsec}\t`,
      `cpu.nr_periods\t${c.nrPeriods}\t`,
      `cpu.nr_throttled\t${c.nrThrottled}\t`,
      `cpu.throttled_usec\t${c.throttledUsec}\t`,
    );
  }
  if (d.memory) {
    const m = d.memory;
    rows.push(
      `memory.usage\t${m.usage}\t`,
      `memory.usage_limit\t${m.usageLimit}\t`,
      `memory.swap_usage\t${m.swapUsage}\t`,
      `memory.swap_limit\t${m.swapLimit}\t`,
    );
  }
  return rows;
}

export function metricsTable(m: Metric, data: CgroupMetrics): string {
  const at = m.timestamp ? timeString(m.timestamp, UTC) : '0001-01-01 00:00:00 +0000 UTC';
  // The blank line ends the first block of columns, so the two blocks align apart.
  const rows = ['ID\tTIMESTAMP\t', `${m.id}\t${at}\t`, ''];
  rows.push(...(data.v1 ? v1Rows(data.v1) : v2Rows(data.v2!)));
  return table(rows, PS);
}

export function metricsJSON(data: CgroupMetrics): string {
  return `${marshalIndent(message(data.v1 ?? data.v2!), '', '  ')}\n`;
}
