// Builds dist/. Start-up is a feature, so the CLI is CommonJS (node's synchronous
// loader is cheaper than its ESM one) and each verb is one self-contained bundle:
// `ctr namespaces ls` reads bin/ctr, dist/cli.cjs and dist/verbs/namespaces/ls.cjs, and
// nothing else. Bundles refer to each other (cli → verb, verb → help) through plain
// relative requires that a plugin puts in place of the source imports.
// The library entry (dist/index.js) is a separate ESM build for other programs.

import { build } from 'esbuild';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const { version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
// Build beside dist/ and swap it in, so a run of bin/ctr never sees a half-built tree.
const next = `dist.next-${process.pid}`;
const out = join(root, next);
rmSync(out, { recursive: true, force: true });

/** Source module → the separate bundle it becomes (path under dist/). */
function bundleOf(absPath) {
  const rel = relative(join(root, 'src'), absPath).replace(/\\/g, '/');
  // The progress spinner (ora and its dependencies), needed only on a terminal.
  if (rel === 'commands/images/spinner.ts') return 'spinner.cjs';
  if (rel.startsWith('commands/') && rel.endsWith('.ts')) return `verbs/${rel.slice('commands/'.length, -3)}.cjs`;
  if (rel === 'cli/help.ts') return 'help.cjs';
  if (rel === 'cli/execute.ts') return 'execute.cjs';
  if (rel === 'complete/engine.ts') return 'complete.cjs';
  return undefined;
}

/** The dynamic imports that cross bundle boundaries, by importer. */
const splitPoints = new Set(['cli.ts', 'cli/registry.ts', 'cli/execute.ts', 'commands/leases/rm.ts']);

function splitPlugin(selfBundle) {
  return {
    name: 'split-bundles',
    setup(b) {
      b.onResolve({ filter: /^\./ }, (args) => {
        if (args.kind !== 'dynamic-import') return undefined;
        const importer = relative(join(root, 'src'), args.importer).replace(/\\/g, '/');
        if (!splitPoints.has(importer) && !importer.startsWith('commands/')) return undefined;
        const target = join(dirname(args.importer), args.path.replace(/\.js$/, '.ts'));
        const bundle = bundleOf(target);
        if (!bundle || bundle === selfBundle) return undefined;
        // Only the registry loads whole verbs; a verb importing another verb's module for
        // its helpers bundles that code in.
        if (bundle.startsWith('verbs/') && importer !== 'cli/registry.ts') return undefined;
        let spec = relative(dirname(join(out, selfBundle)), join(out, bundle)).replace(/\\/g, '/');
        if (!spec.startsWith('.')) spec = `./${spec}`;
        return { path: spec, external: true };
      });
    },
  };
}

/** src/util/require.ts in a CommonJS bundle: the bundle's own require. */
const ownRequire = {
  name: 'own-require',
  setup(b) {
    const source = join(root, 'src', 'util', 'require.ts');
    b.onResolve({ filter: /\/require\.js$/ }, (args) =>
      (join(args.resolveDir, args.path.replace(/\.js$/, '.ts')) === source ? { path: source, namespace: 'own-require' } : undefined));
    b.onLoad({ filter: /.*/, namespace: 'own-require' }, () => ({ contents: 'module.exports = { nodeRequire: require };', loader: 'js' }));
  },
};

const common = {
  absWorkingDir: root,
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  // Cross-bundle import() becomes require(): synchronous, and no ESM loader at all.
  supported: { 'dynamic-import': false },
  // grpc-js is only for library users who ask for it.
  external: ['@grpc/grpc-js'],
  // import.meta in CommonJS: dirname is __dirname; url is made when asked for (building
  // it in every bundle at load cost start-up ~0.3 ms).
  define: { __CTR_VERSION__: JSON.stringify(version), 'import.meta.url': '__ctr_meta.url', 'import.meta.dirname': '__dirname' },
  banner: { js: "const __ctr_meta = { get url() { return require('node:url').pathToFileURL(__filename).href; } };" },
  logLevel: 'warning',
  // Minified: a smaller source and code cache make `run` start ~4 ms sooner (measured on
  // the verb bundles; names only matter to stack traces, which ctr-ts never prints).
  minify: true,
};

// Every verb module the registry loads, plus the shared bundles.
const registry = readFileSync(join(root, 'src/cli/registry.ts'), 'utf8');
const verbSources = [...registry.matchAll(/import\('\.\.\/commands\/([^']+)\.js'\)/g)].map((m) => `src/commands/${m[1]}.ts`);

const jobs = [
  build({ ...common, entryPoints: ['src/cli.ts'], outfile: join(out, 'cli.cjs'), plugins: [splitPlugin('cli.cjs'), ownRequire] }),
  ...['src/cli/help.ts', 'src/complete/engine.ts', 'src/cli/execute.ts', 'src/commands/images/spinner.ts'].map((src) => {
    const bundle = bundleOf(join(root, src));
    return build({ ...common, entryPoints: [src], outfile: join(out, bundle), plugins: [splitPlugin(bundle), ownRequire] });
  }),
  ...verbSources.map((src) => {
    const bundle = bundleOf(join(root, src));
    // The verb and the executor it runs under, from one copy of the shared code.
    const stdin = {
      contents: `export { default } from './${src}';\nexport { execute } from './src/cli/execute.ts';\n`,
      resolveDir: root,
      sourcefile: `${bundle}.entry.ts`,
      loader: 'ts',
    };
    return build({ ...common, stdin, outfile: join(out, bundle), plugins: [splitPlugin(bundle), ownRequire] });
  }),
  build({
    ...common,
    format: 'esm',
    supported: {},
    // The library is read and debugged by other programs' authors: left readable.
    minify: false,
    entryPoints: ['src/index.ts'],
    outdir: out,
    splitting: true,
    chunkNames: 'chunks/[name]-[hash]',
    define: { __CTR_VERSION__: JSON.stringify(version) },
    // Bundled CommonJS packages call require(); give ESM chunks one.
    banner: { js: "import { createRequire as __ctrCreateRequire } from 'node:module'; const require = __ctrCreateRequire(import.meta.url);" },
  }),
];
await Promise.all(jobs);

// bin/ctr reads the CLI bundles as latin1 (cheaper than UTF-8): they must stay ASCII,
// which esbuild's default charset ensures; checked here rather than trusted.
function checkAscii(dir) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) checkAscii(path);
    else if (entry.name.endsWith('.cjs') && readFileSync(path).some((b) => b > 0x7f)) {
      throw new Error(`build: ${relative(out, path)} is not ASCII (bin/ctr reads bundles as latin1)`);
    }
  }
}
checkAscii(out);

// The native helper (native/ctr.c: mkfifo(2), _exit(2)). Optional: without a C compiler
// or node's headers, FIFO sets come from a mkfifo(1) child (several ms slower per task)
// and the CLI exits through node's own teardown.
function buildNative() {
  const include = join(dirname(dirname(process.execPath)), 'include', 'node');
  if (!existsSync(join(include, 'node_api.h'))) return `no node headers in ${include}`;
  mkdirSync(join(out, 'native'));
  const cc = process.env.CC || 'cc';
  const args = ['-O2', '-shared', '-fPIC', '-Wall', '-I', include, '-o', join(out, 'native', 'ctr.node'), join(root, 'native', 'ctr.c')];
  const result = spawnSync(cc, args, { stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
  if (result.error) return `${cc}: ${result.error.message}`;
  if (result.status !== 0) return `${cc} failed: ${result.stderr.trim().split('\n')[0]}`;
  return '';
}
const nativeProblem = buildNative();
if (nativeProblem) console.error(`build: native helper not built (${nativeProblem}); FIFOs come from mkfifo(1)`);

const old = join(root, `dist.old-${process.pid}`);
try {
  renameSync(join(root, 'dist'), old);
} catch {
  // no previous build
}
renameSync(out, join(root, 'dist'));
rmSync(old, { recursive: true, force: true });
