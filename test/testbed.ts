// Finds the test bed for tests: the environment first (CI exports it), and for whatever
// the environment leaves out, `scripts/testbed.sh env` when the test bed is up.

import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const SCRIPT = fileURLToPath(new URL('../scripts/testbed.sh', import.meta.url));
/** What `scripts/testbed.sh env` always prints; a complete environment skips the script. */
const KEYS = [
  'CONTAINERD_ADDRESS',
  'CTR_REFERENCE',
  'CTR_TESTBED_CONTAINERD_VERSION',
  'CTR_TESTBED_REGISTRY',
  'CTR_TESTBED_IMAGE_OCI',
  'CTR_TESTBED_IMAGE_DOCKER',
  'CTR_TESTBED_IMAGE_MULTI',
];
let cached: Record<string, string> | undefined | null = null;

const isTestbedKey = (key: string) => key.startsWith('CTR_TESTBED_') || key === 'CONTAINERD_ADDRESS' || key === 'CTR_REFERENCE';

/** Parses the KEY=value lines of `testbed.sh env` (values may be single-quoted). */
export function parseEnvLines(text: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const m = /^([A-Z_][A-Z0-9_]*)=(.*)$/.exec(line.trim());
    if (!m) continue;
    const raw = m[2]!;
    env[m[1]!] = raw.startsWith("'") && raw.endsWith("'") && raw.length >= 2 ? raw.slice(1, -1).replaceAll("'\\''", "'") : raw;
  }
  return env;
}

function fromScript(): Record<string, string> | undefined {
  const r = spawnSync('bash', [SCRIPT, 'env'], { encoding: 'utf8', timeout: 60_000 });
  if (r.status !== 0) return undefined;
  const env = parseEnvLines(r.stdout);
  return env.CONTAINERD_ADDRESS ? env : undefined;
}

export function testbedEnv(): Record<string, string> | undefined {
  if (cached !== null) return cached;
  const fromEnv = Object.fromEntries(
    Object.entries(process.env).filter((e): e is [string, string] => e[1] !== undefined && e[1] !== '' && isTestbedKey(e[0])),
  );
  if (KEYS.every((key) => fromEnv[key])) return (cached = fromEnv);
  const script = fromScript();
  if (!script) return (cached = fromEnv.CONTAINERD_ADDRESS ? fromEnv : undefined);
  if (fromEnv.CONTAINERD_ADDRESS && fromEnv.CONTAINERD_ADDRESS !== script.CONTAINERD_ADDRESS) {
    // Another daemon was chosen: the test bed's ctr and version describe a different one.
    for (const key of ['CTR_REFERENCE', 'CTR_TESTBED_CONTAINERD', 'CTR_TESTBED_CONTAINERD_VERSION']) delete script[key];
  }
  return (cached = { ...script, ...fromEnv });
}
