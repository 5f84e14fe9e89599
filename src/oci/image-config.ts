// The OCI image config (ocispec.Image) as Go decodes it, and oci.WithImageConfig: the
// image's Env, Entrypoint/Cmd, WorkingDir and User applied to a spec.

import { decodeGoJSON, goBool, goString, map, slice, struct } from './gojson.js';
import { DEFAULT_UNIX_ENV } from './defaults.js';
import { replaceOrAppendEnvValues, setProcess, type SpecOpt } from './opts.js';
import { withAdditionalGIDs, withUser } from './user.js';

export interface ImageConfig {
  User?: string;
  Env?: string[];
  Entrypoint?: string[];
  Cmd?: string[];
  WorkingDir?: string;
  Labels?: Record<string, string>;
  StopSignal?: string;
  ArgsEscaped?: boolean;
}

export interface OCIImage {
  architecture?: string;
  variant?: string;
  os?: string;
  config?: ImageConfig;
  rootfs?: { type?: string; diff_ids?: string[] };
}

const strings = slice(goString);
const empty = struct('struct {}', []);

const imageType = struct('v1.Image', [
  { key: 'created', type: { kind: 'interface' } },
  { key: 'author', type: goString },
  { key: 'architecture', type: goString },
  { key: 'variant', type: goString },
  { key: 'os', type: goString },
  { key: 'os.version', type: goString },
  { key: 'os.features', type: strings },
  { key: 'config', type: struct('v1.ImageConfig', [
    { key: 'User', type: goString },
    { key: 'ExposedPorts', type: map(empty) },
    { key: 'Env', type: strings },
    { key: 'Entrypoint', type: strings },
    { key: 'Cmd', type: strings },
    { key: 'Volumes', type: map(empty) },
    { key: 'WorkingDir', type: goString },
    { key: 'Labels', type: map(goString) },
    { key: 'StopSignal', type: goString },
    { key: 'ArgsEscaped', type: goBool },
  ]) },
  { key: 'rootfs', type: struct('v1.RootFS', [
    { key: 'type', type: goString },
    { key: 'diff_ids', type: slice({ kind: 'string', name: 'digest.Digest' }) },
  ]) },
  { key: 'history', type: slice(struct('v1.History', [
    { key: 'created', type: { kind: 'interface' } },
    { key: 'created_by', type: goString },
    { key: 'author', type: goString },
    { key: 'comment', type: goString },
    { key: 'empty_layer', type: goBool },
  ])) },
]);

/** json.Unmarshal into an ocispec.Image (Go's key matching and error texts). */
export const parseImageConfig = (data: Uint8Array): OCIImage => decodeGoJSON<OCIImage>(imageType, data) ?? {};

/** oci.WithImageConfig(image) for a Linux spec (ctr never passes args here). */
export const withImageConfig = (image: OCIImage): SpecOpt => async (ctx, s) => {
  const config = image.config ?? {};
  const p = setProcess(s);
  if (!s.linux) {
    if (!s.windows) throw new Error('spec does not contain Linux or Windows section');
    // Windows specs are never built by ctr on Linux; keep the Linux-relevant part only.
    p.env = replaceOrAppendEnvValues(config.Env ?? [], p.env ?? []);
    return;
  }
  const defaults = config.Env && config.Env.length > 0 ? config.Env : DEFAULT_UNIX_ENV;
  p.env = replaceOrAppendEnvValues(defaults, p.env ?? []);
  const args = [...(config.Entrypoint ?? []), ...(config.Cmd ?? [])];
  if (args.length > 0) p.args = args;
  else delete p.args;
  p.cwd = config.WorkingDir || '/';
  if (config.User) {
    await withUser(config.User)(ctx, s);
    await withAdditionalGIDs(String(s.process!.user.uid))(ctx, s);
    return;
  }
  await withAdditionalGIDs('root')(ctx, s);
};
