import { IntrospectionDefinition, type Plugin } from '../../api/github.com/containerd/containerd/api/services/introspection/v1/introspection.js';
import { converted } from '../../client/errdefs.js';
import { defineVerb } from '../../cli/types.js';
import { goStringLess, table, WIDE } from '../../format/presets.js';
import { grpcCodeName } from '../../client/transport.js';
import { formatPlatform } from '../platforms.js';
import { formatFlag, outputFormat, writeJSON } from '../flagsets/format.js';

export default defineVerb({
  flags: [
    { name: 'quiet,q', kind: 'bool', usage: 'print only the plugin ids' },
    { name: 'detailed,d', kind: 'bool', usage: 'print detailed information about each plugin' },
    formatFlag,
  ],
  options: (p) => ({ filters: p.args, quiet: p.values.quiet as boolean, detailed: p.values.detailed as boolean, format: outputFormat(p.values.format) }),
  async run({ filters, quiet, detailed, format }, deps) {
    const { plugins } = await converted((await deps.connect()).service(IntrospectionDefinition).plugins({ filters }));
    if (format === 'json') {
      writeJSON(deps.stdout, plugins.map((p) => ({
        type: p.type,
        id: p.id,
        platforms: [...new Set(p.platforms.map(formatPlatform))].sort(goStringLess),
        status: pluginStatus(p),
        requires: p.requires,
        exports: p.exports,
        capabilities: p.capabilities,
        error: p.initErr ? { code: grpcCodeName(p.initErr.code), message: p.initErr.message } : null,
      })));
      return;
    }
    if (quiet) {
      deps.stdout.write(plugins.map((p) => `${p.id}\n`).join(''));
      return;
    }
    deps.stdout.write(table(detailed ? detailLines(plugins) : summaryLines(plugins), WIDE));
  },
});

function prettyPlatforms(p: Plugin): string {
  return [...new Set(p.platforms.map(formatPlatform))].sort(goStringLess).join(',');
}

function pluginStatus(p: Plugin): 'ok' | 'skip' | 'error' {
  if (!p.initErr) return 'ok';
  return p.initErr.message.includes('skip plugin') ? 'skip' : 'error';
}

function summaryLines(plugins: Plugin[]): string[] {
  const rows = plugins.map((p) => {
    const status = pluginStatus(p);
    const platforms = p.platforms.length > 0 ? prettyPlatforms(p) : '-';
    return `${p.type}\t${p.id}\t${platforms}\t${status}\t`;
  });
  return ['TYPE\tID\tPLATFORMS\tSTATUS\t', ...rows];
}

// The detailed view is Go's fmt.Fprintln(w, a, b): operands joined by single spaces.
function detailLines(plugins: Plugin[]): string[] {
  const lines: string[] = [];
  plugins.forEach((p, i) => {
    if (i > 0) lines.push('\t\t\t');
    lines.push(`Type:\t ${p.type}`, `ID:\t ${p.id}`);
    if (p.requires.length > 0) {
      lines.push('Requires:\t');
      for (const r of p.requires) lines.push(`\t ${r}`);
    }
    if (p.platforms.length > 0) lines.push(`Platforms:\t ${prettyPlatforms(p)}`);
    const exports = Object.entries(p.exports);
    if (exports.length > 0) {
      // Go ranges over the map in random order; sorted is one of those orders.
      lines.push('Exports:\t');
      for (const [k, v] of exports.sort(([a], [b]) => goStringLess(a, b))) lines.push(`\t ${k} \t ${v}`);
    }
    if (p.capabilities.length > 0) lines.push(`Capabilities:\t ${p.capabilities.join(',')}`);
    if (p.initErr) {
      lines.push('Error:\t', `\t Code:\t ${grpcCodeName(p.initErr.code)}`, `\t Message:\t ${p.initErr.message}`);
    }
  });
  return lines;
}
