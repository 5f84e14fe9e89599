// The OCI runtime spec as the Go types containerd 1.6 (runtime-spec 1.0.2-dev, the
// version Debian builds ctr with) define it: interfaces for our code, and the Go type
// descriptions that fix JSON field order, omitempty and decoding. Property names are
// the JSON keys; an absent property is Go's zero value (nil for pointers and slices).

import { decodeGoJSON, goBool, goInt, goString, map, marshalGo, named, ptr, slice, struct, toGoJSON, type GoType } from './gojson.js';
import { marshalIndent } from '../format/json.js';

export const SPEC_VERSION = '1.0.2-dev';
/** typeurl's name for specs.Spec inside a container record's Any. */
export const SPEC_TYPE_URL = 'types.containerd.io/opencontainers/runtime-spec/1/Spec';

/** int64 and uint64 fields: numbers, or bigints beyond 2^53. */
export type Int64 = number | bigint;

export interface Spec {
  ociVersion: string;
  process?: Process;
  root?: Root;
  hostname?: string;
  domainname?: string;
  mounts?: Mount[];
  hooks?: Hooks;
  annotations?: Record<string, string>;
  linux?: Linux;
  solaris?: Record<string, unknown>;
  windows?: Windows;
  vm?: Record<string, unknown>;
  zos?: Record<string, unknown>;
}

export interface Process {
  terminal?: boolean;
  consoleSize?: { height?: number; width?: number };
  user: User;
  args?: string[];
  commandLine?: string;
  env?: string[];
  cwd: string;
  capabilities?: LinuxCapabilities;
  rlimits?: POSIXRlimit[];
  noNewPrivileges?: boolean;
  apparmorProfile?: string;
  oomScoreAdj?: number;
  selinuxLabel?: string;
}

export interface LinuxCapabilities {
  bounding?: string[];
  effective?: string[];
  inheritable?: string[];
  permitted?: string[];
  ambient?: string[];
}

export interface User {
  uid: number;
  gid: number;
  umask?: number;
  additionalGids?: number[];
  username?: string;
}

export interface Root {
  path: string;
  readonly?: boolean;
}

export interface Mount {
  destination: string;
  type?: string;
  source?: string;
  options?: string[];
  uidMappings?: LinuxIDMapping[];
  gidMappings?: LinuxIDMapping[];
}

export interface Hook {
  path: string;
  args?: string[];
  env?: string[];
  timeout?: number;
}

export interface Hooks {
  prestart?: Hook[];
  createRuntime?: Hook[];
  createContainer?: Hook[];
  startContainer?: Hook[];
  poststart?: Hook[];
  poststop?: Hook[];
}

export interface Linux {
  uidMappings?: LinuxIDMapping[];
  gidMappings?: LinuxIDMapping[];
  sysctl?: Record<string, string>;
  resources?: LinuxResources;
  cgroupsPath?: string;
  namespaces?: LinuxNamespace[];
  devices?: LinuxDevice[];
  seccomp?: LinuxSeccomp;
  rootfsPropagation?: string;
  maskedPaths?: string[];
  readonlyPaths?: string[];
  mountLabel?: string;
  intelRdt?: LinuxIntelRdt;
  personality?: { domain: string; flags?: string[] };
}

export interface LinuxNamespace {
  type: string;
  path?: string;
}

export interface LinuxIDMapping {
  containerID: number;
  hostID: number;
  size: number;
}

export interface POSIXRlimit {
  type: string;
  hard: Int64;
  soft: Int64;
}

export interface LinuxMemory {
  limit?: Int64;
  reservation?: Int64;
  swap?: Int64;
  kernel?: Int64;
  kernelTCP?: Int64;
  swappiness?: Int64;
  disableOOMKiller?: boolean;
  useHierarchy?: boolean;
  checkBeforeUpdate?: boolean;
}

export interface LinuxCPU {
  shares?: Int64;
  quota?: Int64;
  burst?: Int64;
  period?: Int64;
  realtimeRuntime?: Int64;
  realtimePeriod?: Int64;
  cpus?: string;
  mems?: string;
  idle?: Int64;
}

export interface LinuxResources {
  devices?: LinuxDeviceCgroup[];
  memory?: LinuxMemory;
  cpu?: LinuxCPU;
  pids?: { limit: Int64 };
  blockIO?: Record<string, unknown>;
  hugepageLimits?: Array<{ pageSize: string; limit: Int64 }>;
  network?: Record<string, unknown>;
  rdma?: Record<string, { hcaHandles?: number; hcaObjects?: number }>;
  unified?: Record<string, string>;
}

export interface LinuxDevice {
  path: string;
  type: string;
  major: Int64;
  minor: Int64;
  fileMode?: number;
  uid?: number;
  gid?: number;
}

export interface LinuxDeviceCgroup {
  allow: boolean;
  type?: string;
  major?: Int64;
  minor?: Int64;
  access?: string;
}

export interface LinuxSeccomp {
  defaultAction: string;
  defaultErrnoRet?: number;
  architectures?: string[];
  flags?: string[];
  listenerPath?: string;
  listenerMetadata?: string;
  syscalls?: LinuxSyscall[];
}

export interface LinuxSeccompArg {
  index: number;
  value: Int64;
  valueTwo?: Int64;
  op: string;
}

export interface LinuxSyscall {
  names: string[];
  action: string;
  errnoRet?: number;
  args?: LinuxSeccompArg[];
}

export interface LinuxIntelRdt {
  closID?: string;
  l3CacheSchema?: string;
  memBwSchema?: string;
  enableCMT?: boolean;
  enableMBM?: boolean;
}

export interface Windows {
  layerFolders?: string[];
  [key: string]: unknown;
}

// ---------------------------------------------------------------------------------
// Go type descriptions (field order and tags of runtime-spec's specs-go)

const u16 = goInt('uint16', 16, true);
const u32 = goInt('uint32', 32, true);
const i64 = goInt('int64', 64, false);
const u64 = goInt('uint64', 64, true);
const goInt_ = goInt('int', 64, false);
const goUint = goInt('uint', 64, true);
const strings = slice(goString);
const f = (key: string, type: GoType, omitempty = true) => ({ key, type, omitempty });

const idMapping = struct('specs.LinuxIDMapping', [f('containerID', u32, false), f('hostID', u32, false), f('size', u32, false)]);

const hook = struct('specs.Hook', [f('path', goString, false), f('args', strings), f('env', strings), f('timeout', ptr(goInt_))]);

const processT = struct('specs.Process', [
  f('terminal', goBool),
  f('consoleSize', ptr(struct('specs.Box', [f('height', goUint, false), f('width', goUint, false)]))),
  f('user', struct('specs.User', [
    f('uid', u32, false),
    f('gid', u32, false),
    f('umask', ptr(u32)),
    f('additionalGids', slice(u32)),
    f('username', goString),
  ]), false),
  f('args', strings),
  f('commandLine', goString),
  f('env', strings),
  f('cwd', goString, false),
  f('capabilities', ptr(struct('specs.LinuxCapabilities', [
    f('bounding', strings), f('effective', strings), f('inheritable', strings), f('permitted', strings), f('ambient', strings),
  ]))),
  f('rlimits', slice(struct('specs.POSIXRlimit', [f('type', goString, false), f('hard', u64, false), f('soft', u64, false)]))),
  f('noNewPrivileges', goBool),
  f('apparmorProfile', goString),
  f('oomScoreAdj', ptr(goInt_)),
  f('selinuxLabel', goString),
]);

const throttleDevice = struct('specs.LinuxThrottleDevice', [f('major', i64, false), f('minor', i64, false), f('rate', u64, false)]);

const resources = struct('specs.LinuxResources', [
  f('devices', slice(struct('specs.LinuxDeviceCgroup', [
    f('allow', goBool, false), f('type', goString), f('major', ptr(i64)), f('minor', ptr(i64)), f('access', goString),
  ]))),
  f('memory', ptr(struct('specs.LinuxMemory', [
    f('limit', ptr(i64)), f('reservation', ptr(i64)), f('swap', ptr(i64)), f('kernel', ptr(i64)), f('kernelTCP', ptr(i64)),
    f('swappiness', ptr(u64)), f('disableOOMKiller', ptr(goBool)), f('useHierarchy', ptr(goBool)), f('checkBeforeUpdate', ptr(goBool)),
  ]))),
  f('cpu', ptr(struct('specs.LinuxCPU', [
    f('shares', ptr(u64)), f('quota', ptr(i64)), f('burst', ptr(u64)), f('period', ptr(u64)), f('realtimeRuntime', ptr(i64)),
    f('realtimePeriod', ptr(u64)), f('cpus', goString), f('mems', goString), f('idle', ptr(i64)),
  ]))),
  f('pids', ptr(struct('specs.LinuxPids', [f('limit', i64, false)]))),
  f('blockIO', ptr(struct('specs.LinuxBlockIO', [
    f('weight', ptr(u16)),
    f('leafWeight', ptr(u16)),
    f('weightDevice', slice(struct('specs.LinuxWeightDevice', [
      f('major', i64, false), f('minor', i64, false), f('weight', ptr(u16)), f('leafWeight', ptr(u16)),
    ]))),
    f('throttleReadBpsDevice', slice(throttleDevice)),
    f('throttleWriteBpsDevice', slice(throttleDevice)),
    f('throttleReadIOPSDevice', slice(throttleDevice)),
    f('throttleWriteIOPSDevice', slice(throttleDevice)),
  ]))),
  f('hugepageLimits', slice(struct('specs.LinuxHugepageLimit', [f('pageSize', goString, false), f('limit', u64, false)]))),
  f('network', ptr(struct('specs.LinuxNetwork', [
    f('classID', ptr(u32)),
    f('priorities', slice(struct('specs.LinuxInterfacePriority', [f('name', goString, false), f('priority', u32, false)]))),
  ]))),
  f('rdma', map(struct('specs.LinuxRdma', [f('hcaHandles', ptr(u32)), f('hcaObjects', ptr(u32))]))),
  f('unified', map(goString)),
]);

const seccomp = struct('specs.LinuxSeccomp', [
  f('defaultAction', named('specs.LinuxSeccompAction'), false),
  f('defaultErrnoRet', ptr(goUint)),
  f('architectures', slice(named('specs.Arch'))),
  f('flags', slice(named('specs.LinuxSeccompFlag'))),
  f('listenerPath', goString),
  f('listenerMetadata', goString),
  f('syscalls', slice(struct('specs.LinuxSyscall', [
    f('names', strings, false),
    f('action', named('specs.LinuxSeccompAction'), false),
    f('errnoRet', ptr(goUint)),
    f('args', slice(struct('specs.LinuxSeccompArg', [
      f('index', goUint, false), f('value', u64, false), f('valueTwo', u64), f('op', named('specs.LinuxSeccompOperator'), false),
    ]))),
  ]))),
]);

const linuxT = struct('specs.Linux', [
  f('uidMappings', slice(idMapping)),
  f('gidMappings', slice(idMapping)),
  f('sysctl', map(goString)),
  f('resources', ptr(resources)),
  f('cgroupsPath', goString),
  f('namespaces', slice(struct('specs.LinuxNamespace', [f('type', named('specs.LinuxNamespaceType'), false), f('path', goString)]))),
  f('devices', slice(struct('specs.LinuxDevice', [
    f('path', goString, false), f('type', goString, false), f('major', i64, false), f('minor', i64, false),
    f('fileMode', ptr(goInt('fs.FileMode', 32, true))), f('uid', ptr(u32)), f('gid', ptr(u32)),
  ]))),
  f('seccomp', ptr(seccomp)),
  f('rootfsPropagation', goString),
  f('maskedPaths', strings),
  f('readonlyPaths', strings),
  f('mountLabel', goString),
  f('intelRdt', ptr(struct('specs.LinuxIntelRdt', [
    f('closID', goString), f('l3CacheSchema', goString), f('memBwSchema', goString), f('enableCMT', goBool), f('enableMBM', goBool),
  ]))),
  f('personality', ptr(struct('specs.LinuxPersonality', [
    f('domain', named('specs.LinuxPersonalityDomain'), false), f('flags', slice(named('specs.LinuxPersonalityFlag'))),
  ]))),
]);

const solarisT = struct('specs.Solaris', [
  f('milestone', goString), f('limitpriv', goString), f('maxShmMemory', goString),
  f('anet', slice(struct('specs.SolarisAnet', [
    f('linkname', goString), f('lowerLink', goString), f('allowedAddress', goString), f('configureAllowedAddress', goString),
    f('defrouter', goString), f('linkProtection', goString), f('macAddress', goString),
  ]))),
  f('cappedCPU', ptr(struct('specs.SolarisCappedCPU', [f('ncpus', goString)]))),
  f('cappedMemory', ptr(struct('specs.SolarisCappedMemory', [f('physical', goString), f('swap', goString)]))),
]);

const windowsT = struct('specs.Windows', [
  f('layerFolders', strings, false),
  f('devices', slice(struct('specs.WindowsDevice', [f('id', goString, false), f('idType', goString, false)]))),
  f('resources', ptr(struct('specs.WindowsResources', [
    f('memory', ptr(struct('specs.WindowsMemoryResources', [f('limit', ptr(u64))]))),
    f('cpu', ptr(struct('specs.WindowsCPUResources', [f('count', ptr(u64)), f('shares', ptr(u16)), f('maximum', ptr(u16))]))),
    f('storage', ptr(struct('specs.WindowsStorageResources', [f('iops', ptr(u64)), f('bps', ptr(u64)), f('sandboxSize', ptr(u64))]))),
  ]))),
  f('credentialSpec', { kind: 'interface' }),
  f('servicing', goBool),
  f('ignoreFlushesDuringBoot', goBool),
  f('hyperv', ptr(struct('specs.WindowsHyperV', [f('utilityVMPath', goString)]))),
  f('network', ptr(struct('specs.WindowsNetwork', [
    f('endpointList', strings), f('allowUnqualifiedDNSQuery', goBool), f('DNSSearchList', strings),
    f('networkSharedContainerName', goString), f('networkNamespace', goString),
  ]))),
]);

const vmT = struct('specs.VM', [
  f('hypervisor', struct('specs.VMHypervisor', [f('path', goString, false), f('parameters', strings)])),
  f('kernel', struct('specs.VMKernel', [f('path', goString, false), f('parameters', strings), f('initrd', goString)]), false),
  f('image', struct('specs.VMImage', [f('path', goString, false), f('format', goString, false)])),
]);

const zosDevice = struct('specs.ZOSDevice', [
  f('path', goString, false), f('type', goString, false), f('major', i64, false), f('minor', i64, false),
  f('fileMode', ptr(goInt('fs.FileMode', 32, true))), f('uid', ptr(u32)), f('gid', ptr(u32)),
]);

export const specType = struct('specs.Spec', [
  f('ociVersion', goString, false),
  f('process', ptr(processT)),
  f('root', ptr(struct('specs.Root', [f('path', goString, false), f('readonly', goBool)]))),
  f('hostname', goString),
  f('domainname', goString),
  f('mounts', slice(struct('specs.Mount', [
    f('destination', goString, false), f('type', goString), f('source', goString), f('options', strings),
    f('uidMappings', slice(idMapping)), f('gidMappings', slice(idMapping)),
  ]))),
  f('hooks', ptr(struct('specs.Hooks', [
    f('prestart', slice(hook)), f('createRuntime', slice(hook)), f('createContainer', slice(hook)),
    f('startContainer', slice(hook)), f('poststart', slice(hook)), f('poststop', slice(hook)),
  ]))),
  f('annotations', map(goString)),
  f('linux', ptr(linuxT)),
  f('solaris', ptr(solarisT)),
  f('windows', ptr(windowsT)),
  f('vm', ptr(vmT)),
  f('zos', ptr(struct('specs.ZOS', [f('devices', slice(zosDevice))]))),
]);

export const seccompType = seccomp;

/** json.Marshal(spec): the bytes containerd's client puts in the container's Any. */
export const marshalSpec = (s: Spec): string => marshalGo(specType, s);

/** ctr's PrintAsJSON of a spec (MarshalIndent with four spaces), without the newline. */
export const indentSpec = (s: Spec): string => marshalIndent(toGoJSON(specType, s), '', '    ');

/** json.Unmarshal into a specs.Spec; throws with Go's message. */
export const parseSpec = (text: string | Uint8Array): Spec => decodeGoJSON<Spec>(specType, text) ?? { ociVersion: '' };
