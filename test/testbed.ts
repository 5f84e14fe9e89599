// Finds the test bed for tests: the environment first, else `scripts/testbed.sh env`
// when the test bed is up.

import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const SCRIPT = fileURLToPath(new URL('../scripts/testbed.sh', import.meta.url));
let cached: Record<string, string> | undefined | null = null;

export function testbedEnv(): Record<string, string> | undefined {
  if (cached !== null) return cached;
  const fromEnv = Object.fromEntries(
    Object.entries(process.env).filter(([k, v]) => v !== undefined && (k.startsWith('CTR_TESTBED_') || k === 'CONTAINERD_ADDRESS' || k === 'CTR_REFERENCE')),
  ) as Record<string, string>;
  if (fromEnv.CONTAINERD_ADDRESS) return (cached = fromEnv);
  const r = spawnSync('bash', [SCRIPT, 'env'], { encoding: 'utf8' });
  if (r.status !== 0) return (cached = undefined);
  const env: Record<string, string> = {};
  for (const line of r.stdout.split('\n')) {
    const m = /^([A-Z_][A-Z0-9_]*)=(.*)$/.exec(line.trim());
    if (m) env[m[1]!] = m[2]!.replace(/^'(.*)'$/, '$1').replace(/^"(.*)"$/, '$1');
  }
  return (cached = env.CONTAINERD_ADDRESS ? env : undefined);
}
