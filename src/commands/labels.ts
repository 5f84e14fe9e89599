// ctr's commands.LabelArgs and ObjectWithLabelArgs: "k=v" → {k: v}, a bare "k" → {k: "true"}.

export function labelArgs(args: readonly string[]): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const a of args) {
    const i = a.indexOf('=');
    if (i < 0) labels[a] = 'true';
    else labels[a.slice(0, i)] = a.slice(i + 1);
  }
  return labels;
}

export function objectWithLabelArgs(args: readonly string[]): { name: string; labels: Record<string, string> } {
  return { name: args[0] ?? '', labels: labelArgs(args.slice(1)) };
}
