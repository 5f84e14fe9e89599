// Bundles src/ into dist/ with code splitting: every command module is a dynamic
// import, so each becomes its own chunk and start-up loads only what a verb needs.
import { build } from 'esbuild';
import { readFileSync, renameSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const { version } = JSON.parse(readFileSync(`${root}/package.json`, 'utf8'));
// Build beside dist/ and swap it in, so a run of bin/ctr never sees a half-built tree.
const next = `dist.next-${process.pid}`;
rmSync(`${root}/${next}`, { recursive: true, force: true });
await build({
  absWorkingDir: root,
  entryPoints: ['src/cli.ts', 'src/index.ts'],
  outdir: next,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  // grpc-js is only for library users who ask for it; everything else is bundled so
  // that loading a command reads one or two files.
  external: ['@grpc/grpc-js'],
  sourcemap: false,
  chunkNames: 'chunks/[name]-[hash]',
  // Bundled CommonJS packages (commander) call require(); give ESM chunks one.
  banner: { js: "import { createRequire as __ctrCreateRequire } from 'node:module'; const require = __ctrCreateRequire(import.meta.url);" },
  define: { __CTR_VERSION__: JSON.stringify(version) },
  logLevel: 'warning',
});
const old = `${root}/dist.old-${process.pid}`;
try {
  renameSync(`${root}/dist`, old);
} catch {
  // no previous build
}
renameSync(`${root}/${next}`, `${root}/dist`);
rmSync(old, { recursive: true, force: true });
