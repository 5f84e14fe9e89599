#!/usr/bin/env bash
# The test bed: a private containerd, a local registry and busybox test images.
#
#   scripts/testbed.sh up       install what is missing, start everything, push the images,
#                               print the environment (same as `env`)
#   scripts/testbed.sh env      print shell-sourceable KEY=value lines for tests and scripts:
#                                 set -a; . <(scripts/testbed.sh env); set +a
#   scripts/testbed.sh status   say what runs
#   scripts/testbed.sh check    pull every test image with the real ctr and run one
#   scripts/testbed.sh install  only install the Debian packages the project needs
#   scripts/testbed.sh down     stop this version's containerd (and the registry once no
#                               test-bed containerd is left); `down all` stops every one
#
# Environment:
#   CTR_TESTBED_DIR         where everything lives (default: <repo>/.testbed)
#   CTR_TESTBED_CONTAINERD  1.6 (the system's, default), 1.7 (Debian trixie) or 2 (Debian
#                           sid); 1.7 and 2 are fetched as .deb files and unpacked privately
#
# Only processes recorded in our own pid files are ever stopped, so other containerd
# daemons on the machine (a developer's, the system's) are left alone.
set -euo pipefail

REPO_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
TESTBED_DIR=${CTR_TESTBED_DIR:-$REPO_DIR/.testbed}
mkdir -p "$TESTBED_DIR"
TESTBED_DIR=$(cd "$TESTBED_DIR" && pwd)
REGISTRY_DIR=$TESTBED_DIR/registry
REPOSITORY=testbed/busybox
BUSYBOX=/bin/busybox
DEBIAN_KEYRING=/usr/share/keyrings/debian-archive-keyring.gpg
# Unix socket paths must fit in sun_path (108 bytes with the NUL).
MAX_SOCKET_PATH=107

die() {
  echo "testbed: error: $*" >&2
  exit 1
}
note() { echo "testbed: $*" >&2; }

# ---------------------------------------------------------------------------------------
# Version selection

select_version() {
  case "${CTR_TESTBED_CONTAINERD:-1.6}" in
    1.6 | "") VERSION=1.6 SUITE="" ;;
    1.7) VERSION=1.7 SUITE=trixie ;;
    2 | 2.x) VERSION=2 SUITE=sid ;;
    *) die "CTR_TESTBED_CONTAINERD=${CTR_TESTBED_CONTAINERD} is not one of 1.6, 1.7, 2" ;;
  esac
  DAEMON_DIR=$TESTBED_DIR/cd-$VERSION
  PKG_DIR=$TESTBED_DIR/pkgs/containerd-$VERSION
  SOCKET=$DAEMON_DIR/containerd.sock
  CONFIG=$DAEMON_DIR/config.toml
  PID_FILE=$DAEMON_DIR/containerd.pid
  if [[ $VERSION == 1.6 ]]; then
    BIN_DIR=$(dirname "$(command -v containerd || echo /usr/bin/containerd)")
    CTR_BIN=$(command -v ctr || echo /usr/bin/ctr)
  else
    BIN_DIR=$PKG_DIR/usr/bin
    CTR_BIN=$BIN_DIR/ctr
  fi
}

# ---------------------------------------------------------------------------------------
# Packages

SYSTEM_PACKAGES=(containerd runc docker-registry busybox-static protobuf-compiler hyperfine curl)
# What the tests need besides: shells for the completion tests, tmux for real terminals,
# containerd's own .proto files (and their imports) to check ours against, openssl for
# the TLS registry, time for RSS in the bench.
TEST_PACKAGES=(bash-completion zsh fish tmux openssl time python3
  golang-github-containerd-containerd-dev golang-github-containerd-cgroups-dev golang-github-gogo-protobuf-dev)

ensure_packages() {
  local missing=() pkg
  for pkg in "${SYSTEM_PACKAGES[@]}"; do
    if [[ $(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null) != "install ok installed" ]]; then
      missing+=("$pkg")
    fi
  done
  [[ ${#missing[@]} -eq 0 ]] && return 0
  [[ $(id -u) -eq 0 ]] || die "missing packages (${missing[*]}); run as root or install them with apt-get"
  local log=$TESTBED_DIR/apt-install.log
  note "installing ${missing[*]} (log: $log)"
  # CTR_TESTBED_APT_UPDATED=1: the caller (CI) has just run apt-get update itself.
  if ! {
    if [[ ${CTR_TESTBED_APT_UPDATED:-} != 1 ]]; then apt-get update; fi &&
      DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}"
  } >"$log" 2>&1; then
    tail -n 20 "$log" >&2
    die "apt-get could not install ${missing[*]} (see $log)"
  fi
}

# The main archive's URIs and keyring from the machine's own apt configuration, so no
# mirror name is ever written into the repository.
debian_mirror() {
  local sources=/etc/apt/sources.list.d/debian.sources
  [[ -r $sources ]] || die "cannot read $sources to find the Debian mirror"
  awk '
    function flush() {
      if (uris != "" && suites !~ /-security/) print uris "|" (keyring == "" ? "-" : keyring)
      uris = ""; suites = ""; keyring = ""
    }
    /^[[:space:]]*$/ { flush(); next }
    /^URIs:/ { uris = $2 }
    /^Suites:/ { suites = $0 }
    /^Signed-By:/ { keyring = $2 }
    END { flush() }
  ' "$sources" | head -n 1
}

# containerd 1.7 / 2.x: apt-get download against a temporary sources list with a private
# apt state, unpacked with dpkg-deb -x; nothing is installed on the system.
fetch_containerd() {
  [[ -x $BIN_DIR/containerd && -x $BIN_DIR/ctr ]] && return 0
  local mirror uri keyring apt_dir log deb
  mirror=$(debian_mirror)
  [[ -n $mirror ]] || die "no Debian archive URI found in /etc/apt/sources.list.d/debian.sources"
  uri=${mirror%%|*}
  keyring=${mirror#*|}
  [[ $keyring == - ]] && keyring=$DEBIAN_KEYRING
  apt_dir=$TESTBED_DIR/apt/$SUITE
  log=$apt_dir/apt.log
  rm -rf "$apt_dir"
  mkdir -p "$apt_dir"/{state/lists/partial,cache/archives/partial,debs}
  : >"$apt_dir/state/status"
  echo "deb [signed-by=$keyring] $uri $SUITE main" >"$apt_dir/sources.list"
  local apt_opts=(
    -o "Dir::State=$apt_dir/state"
    -o "Dir::State::status=$apt_dir/state/status"
    -o "Dir::Etc::SourceList=$apt_dir/sources.list"
    -o "Dir::Etc::SourceParts=/dev/null"
    -o "Dir::Etc::Preferences=/dev/null"
    -o "Dir::Etc::PreferencesParts=/dev/null"
    -o "Dir::Cache=$apt_dir/cache"
    -o "APT::Architecture=$(dpkg --print-architecture)"
    -o "APT::Sandbox::User=root"
  )
  note "fetching containerd $VERSION from Debian $SUITE (log: $log)"
  if ! apt-get "${apt_opts[@]}" update >"$log" 2>&1 || grep -qE '^(E:|Err:)' "$log"; then
    die "containerd $VERSION: Debian suite '$SUITE' is not reachable from the configured mirror (see $log)"
  fi
  if ! (cd "$apt_dir/debs" && apt-get "${apt_opts[@]}" download containerd) >>"$log" 2>&1; then
    die "containerd $VERSION: 'apt-get download containerd' from Debian $SUITE failed (see $log)"
  fi
  deb=$(ls "$apt_dir"/debs/containerd_*.deb 2>/dev/null | head -n 1)
  [[ -n $deb ]] || die "containerd $VERSION: no containerd .deb was downloaded (see $log)"
  rm -rf "$PKG_DIR.partial"
  mkdir -p "$PKG_DIR.partial"
  dpkg-deb -x "$deb" "$PKG_DIR.partial" || die "containerd $VERSION: cannot unpack $deb"
  rm -rf "$PKG_DIR"
  mv "$PKG_DIR.partial" "$PKG_DIR"
  rm -rf "$apt_dir/cache" "$apt_dir/state/lists" "$apt_dir/debs"
  [[ -x $BIN_DIR/containerd && -x $BIN_DIR/ctr ]] || die "containerd $VERSION: the package has no usr/bin/containerd or usr/bin/ctr"
}

# ---------------------------------------------------------------------------------------
# Processes

# Running means: the recorded pid is alive and its command line names our marker (so a
# recycled pid is never mistaken for ours).
pid_running() {
  local pid_file=$1 marker=$2 pid
  [[ -s $pid_file ]] || return 1
  pid=$(<"$pid_file")
  [[ $pid =~ ^[0-9]+$ ]] || return 1
  [[ -r /proc/$pid/cmdline ]] || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" | grep -qF -- "$marker"
}

# Starts a daemon in its own session so that it outlives the shell that started it and
# records the pid of the daemon itself (exec keeps it).
spawn() {
  local pid_file=$1 log=$2 path=$3
  shift 3
  # fd 9 is the test-bed lock: a daemon must not inherit it and hold it forever.
  PID_FILE_TARGET=$pid_file PATH=$path setsid bash -c 'echo $$ >"$PID_FILE_TARGET"; exec "$@"' testbed "$@" \
    </dev/null >>"$log" 2>&1 9>&- &
  local tries=0
  while [[ ! -s $pid_file ]] && ((tries++ < 50)); do sleep 0.1; done
}

# Waits until CHECK succeeds while the daemon recorded in PID_FILE lives; dies otherwise.
await_daemon() {
  local check=$1 pid_file=$2 marker=$3 name=$4 log=$5 tries=0
  until "$check"; do
    if ! pid_running "$pid_file" "$marker"; then
      tail -n 15 "$log" >&2 || true
      die "$name exited (log: $log)"
    fi
    ((tries++ < 60)) || die "$name does not answer after 30s (log: $log)"
    sleep 0.5
  done
}

stop_pid() {
  local pid_file=$1 marker=$2 name=$3 pid tries
  if pid_running "$pid_file" "$marker"; then
    pid=$(<"$pid_file")
    kill -TERM "$pid" 2>/dev/null || true
    tries=0
    while [[ -d /proc/$pid ]] && ((tries++ < 100)); do sleep 0.1; done
    if [[ -d /proc/$pid ]]; then
      kill -KILL "$pid" 2>/dev/null || true
      sleep 0.2
    fi
    note "stopped $name (pid $pid)"
  fi
  rm -f "$pid_file"
}

# ---------------------------------------------------------------------------------------
# containerd

write_containerd_config() {
  mkdir -p "$DAEMON_DIR"/{root,state,tmp,opt,runc,nri}
  # containerd 2 reads version 2 files too but migrates them in memory; its own format
  # (3) avoids that. Only the CRI front end is disabled: in containerd 2 the cri.v1 image
  # and runtime plugins behind it stay, because without them the pod sandbox controller,
  # and with it the sandbox-controllers API, fails to load. They keep state in our dirs.
  local config_version=2
  [[ $VERSION == 2 ]] && config_version=3
  {
    cat <<EOF
version = $config_version
root = "$DAEMON_DIR/root"
state = "$DAEMON_DIR/state"
temp = "$DAEMON_DIR/tmp"
disabled_plugins = ["io.containerd.grpc.v1.cri"]

[grpc]
  address = "$SOCKET"

[ttrpc]
  address = "$SOCKET.ttrpc"

[debug]
  address = "$DAEMON_DIR/debug.sock"
  level = "info"

[plugins]
  [plugins."io.containerd.internal.v1.opt"]
    path = "$DAEMON_DIR/opt"
EOF
    if [[ $VERSION != 2 ]]; then
      cat <<EOF

  # The legacy v1 runtime would keep runc state in /run/containerd/runc otherwise.
  [plugins."io.containerd.runtime.v1.linux"]
    runtime_root = "$DAEMON_DIR/runc"
EOF
    else
      cat <<EOF

  [plugins."io.containerd.image-verifier.v1.bindir"]
    bin_dir = "$DAEMON_DIR/opt/image-verifier/bin"
EOF
    fi
    # NRI (1.7 on, on by default in 2) listens on /var/run/nri/nri.sock unless told.
    if [[ $VERSION != 1.6 ]]; then
      cat <<EOF

  [plugins."io.containerd.nri.v1.nri"]
    disable = true
    socket_path = "$DAEMON_DIR/nri/nri.sock"
    plugin_path = "$DAEMON_DIR/nri/plugins"
    plugin_config_path = "$DAEMON_DIR/nri/conf.d"
EOF
    fi
  } >"$CONFIG"
}

containerd_answers() {
  [[ -S $SOCKET ]] && timeout 10 "$CTR_BIN" -a "$SOCKET" version >/dev/null 2>&1
}

start_containerd() {
  local sock_len=${#SOCKET}
  ((sock_len + 6 <= MAX_SOCKET_PATH)) || die "socket path $SOCKET.ttrpc is too long for a unix socket; set CTR_TESTBED_DIR to a shorter directory"
  local log=$DAEMON_DIR/containerd.log
  if pid_running "$PID_FILE" "$CONFIG"; then
    await_daemon containerd_answers "$PID_FILE" "$CONFIG" "containerd $VERSION" "$log"
    note "containerd $VERSION already running (pid $(<"$PID_FILE"))"
    return 0
  fi
  [[ -x $BIN_DIR/containerd ]] || die "containerd binary not found in $BIN_DIR"
  write_containerd_config
  rm -f "$SOCKET" "$SOCKET.ttrpc" "$DAEMON_DIR/debug.sock" "$PID_FILE"
  # The daemon looks its shims up in PATH first: a fetched version must find its own.
  spawn "$PID_FILE" "$log" "$BIN_DIR:$PATH" "$BIN_DIR/containerd" --config "$CONFIG"
  await_daemon containerd_answers "$PID_FILE" "$CONFIG" "containerd $VERSION" "$log"
  "$BIN_DIR/containerd" --version | awk '{print $3}' >"$DAEMON_DIR/version"
  note "containerd $VERSION started (pid $(<"$PID_FILE"), socket $SOCKET)"
}

# Tasks left by tests would keep shims and mounts alive after the daemon is gone.
clean_containerd_tasks() {
  containerd_answers || return 0
  local ns task
  for ns in $(timeout 10 "$CTR_BIN" -a "$SOCKET" namespaces ls -q 2>/dev/null); do
    for task in $(timeout 10 "$CTR_BIN" -a "$SOCKET" -n "$ns" tasks ls -q 2>/dev/null); do
      timeout 10 "$CTR_BIN" -a "$SOCKET" -n "$ns" tasks kill -a -s SIGKILL "$task" >/dev/null 2>&1 || true
      timeout 10 "$CTR_BIN" -a "$SOCKET" -n "$ns" tasks delete -f "$task" >/dev/null 2>&1 || true
    done
  done
}

stop_containerd() {
  clean_containerd_tasks
  stop_pid "$PID_FILE" "$CONFIG" "containerd $VERSION"
  # Shims are started with our socket as their -address; any left over are ours.
  local pid
  for pid in $(pgrep -f -- "-address $SOCKET( |$)" 2>/dev/null || true); do
    kill -KILL "$pid" 2>/dev/null || true
  done
  # Snapshot and rootfs mounts under our directory, deepest first.
  awk -v dir="$DAEMON_DIR/" 'index($2, dir) == 1 { print $2 }' /proc/self/mounts | sort -r |
    while read -r mnt; do umount -l "$mnt" 2>/dev/null || true; done
  rm -f "$SOCKET" "$SOCKET.ttrpc" "$DAEMON_DIR/debug.sock"
}

# ---------------------------------------------------------------------------------------
# Registry

registry_port() { [[ -s $REGISTRY_DIR/port ]] && cat "$REGISTRY_DIR/port"; }

registry_answers() {
  local port
  port=$(registry_port) || return 1
  [[ $(curl -s -o /dev/null -w '%{http_code}' --max-time 5 "http://127.0.0.1:$port/v2/") == 200 ]]
}

# 5000 when nothing listens there, otherwise whatever port the kernel hands out.
pick_port() {
  node -e '
    const net = require("node:net");
    const listen = (port) => new Promise((resolve, reject) => {
      const server = net.createServer();
      server.once("error", reject);
      server.listen(port, "127.0.0.1", () => { const p = server.address().port; server.close(() => resolve(p)); });
    });
    listen(5000).catch(() => listen(0)).then((p) => console.log(p));
  '
}

start_registry() {
  local marker=$REGISTRY_DIR/config.yml log=$REGISTRY_DIR/registry.log
  mkdir -p "$REGISTRY_DIR/storage"
  if pid_running "$REGISTRY_DIR/registry.pid" "$marker"; then
    await_daemon registry_answers "$REGISTRY_DIR/registry.pid" "$marker" registry "$log"
    note "registry already running at 127.0.0.1:$(registry_port)"
    return 0
  fi
  command -v docker-registry >/dev/null || die "docker-registry is not installed"
  local port
  port=$(pick_port) || die "cannot find a free port for the registry"
  cat >"$marker" <<EOF
version: 0.1
log:
  level: info
storage:
  filesystem:
    rootdirectory: $REGISTRY_DIR/storage
  delete:
    enabled: true
  maintenance:
    uploadpurging:
      enabled: false
http:
  addr: 127.0.0.1:$port
  headers:
    X-Content-Type-Options: [nosniff]
EOF
  echo "$port" >"$REGISTRY_DIR/port"
  rm -f "$REGISTRY_DIR/registry.pid"
  spawn "$REGISTRY_DIR/registry.pid" "$log" "$PATH" docker-registry serve "$marker"
  await_daemon registry_answers "$REGISTRY_DIR/registry.pid" "$marker" "registry on 127.0.0.1:$port" "$log"
  note "registry started at 127.0.0.1:$port (pid $(<"$REGISTRY_DIR/registry.pid"))"
}

stop_registry() {
  stop_pid "$REGISTRY_DIR/registry.pid" "$REGISTRY_DIR/config.yml" registry
}

push_images() {
  command -v node >/dev/null || die "node is needed to build the test images"
  [[ -x $BUSYBOX ]] || die "$BUSYBOX is missing (package busybox-static)"
  node "$REPO_DIR/scripts/testbed/images.mjs" --registry "127.0.0.1:$(registry_port)" \
    --busybox "$BUSYBOX" --out "$TESTBED_DIR/images.json" ||
    die "building or pushing the test images failed"
}

# ---------------------------------------------------------------------------------------
# Commands

is_up() {
  pid_running "$PID_FILE" "$CONFIG" && containerd_answers &&
    pid_running "$REGISTRY_DIR/registry.pid" "$REGISTRY_DIR/config.yml" && registry_answers
}

# Values are plain words in practice; anything else is single-quoted for the shell.
print_var() {
  local value=$2
  # (a ~ at the start or after a colon would be expanded in an assignment)
  if [[ $value =~ ^[A-Za-z0-9_./:@%+=,~-]*$ && ! $value =~ (^|:)~ ]]; then
    printf '%s=%s\n' "$1" "$value"
  else
    printf "%s='%s'\n" "$1" "${value//\'/\'\\\'\'}"
  fi
}

cmd_env() {
  is_up || die "the test bed for containerd $VERSION is not up (run: scripts/testbed.sh up)"
  local registry version
  registry=127.0.0.1:$(registry_port)
  version=$(cat "$DAEMON_DIR/version" 2>/dev/null || "$BIN_DIR/containerd" --version | awk '{print $3}')
  print_var CONTAINERD_ADDRESS "$SOCKET"
  print_var CTR_REFERENCE "$CTR_BIN"
  print_var CTR_TESTBED_DIR "$TESTBED_DIR"
  print_var CTR_TESTBED_CONTAINERD "$VERSION"
  print_var CTR_TESTBED_CONTAINERD_VERSION "$version"
  print_var CTR_TESTBED_REGISTRY "$registry"
  print_var CTR_TESTBED_IMAGE_OCI "$registry/$REPOSITORY:oci"
  print_var CTR_TESTBED_IMAGE_DOCKER "$registry/$REPOSITORY:docker"
  print_var CTR_TESTBED_IMAGE_MULTI "$registry/$REPOSITORY:multi"
}

with_lock() {
  exec 9>"$TESTBED_DIR/testbed.lock"
  flock -w 600 9 || die "another testbed.sh holds $TESTBED_DIR/testbed.lock"
}

cmd_install() {
  with_lock
  SYSTEM_PACKAGES+=("${TEST_PACKAGES[@]}")
  ensure_packages
}

cmd_up() {
  with_lock
  ensure_packages
  [[ -n $SUITE ]] && fetch_containerd
  start_containerd
  start_registry
  push_images
  cmd_env
}

cmd_status() {
  local dir version pid state=0
  for dir in "$TESTBED_DIR"/cd-*/; do
    [[ -d $dir ]] || continue
    dir=${dir%/}
    version=$(cat "$dir/version" 2>/dev/null || echo "?")
    if pid_running "$dir/containerd.pid" "$dir/config.toml"; then
      pid=$(<"$dir/containerd.pid")
      echo "containerd ${dir##*/cd-} ($version): running, pid $pid, socket $dir/containerd.sock"
    else
      echo "containerd ${dir##*/cd-}: stopped"
    fi
  done
  if pid_running "$REGISTRY_DIR/registry.pid" "$REGISTRY_DIR/config.yml"; then
    echo "registry: running, pid $(<"$REGISTRY_DIR/registry.pid"), 127.0.0.1:$(registry_port)"
  else
    echo "registry: stopped"
  fi
  is_up || state=1
  echo "test bed for containerd $VERSION: $([[ $state == 0 ]] && echo up || echo down)"
  return $state
}

cmd_check() {
  is_up || die "the test bed for containerd $VERSION is not up (run: scripts/testbed.sh up)"
  local registry ns tag
  registry=127.0.0.1:$(registry_port)
  ns=testbed-check-$$
  local ctr=("$CTR_BIN" -a "$SOCKET" -n "$ns")
  for tag in oci docker multi; do
    "${ctr[@]}" images pull --plain-http "$registry/$REPOSITORY:$tag" >/dev/null ||
      die "ctr could not pull $registry/$REPOSITORY:$tag"
  done
  "${ctr[@]}" images ls
  "${ctr[@]}" run --rm "$registry/$REPOSITORY:oci" "testbed-check-$$" sh -c 'cat /hello.txt; id' ||
    die "ctr could not run $registry/$REPOSITORY:oci"
  for tag in oci docker multi; do "${ctr[@]}" images rm "$registry/$REPOSITORY:$tag" >/dev/null; done
  "${ctr[@]}" namespaces rm "$ns" >/dev/null 2>&1 || true
  note "check passed for containerd $VERSION"
}

cmd_down() {
  with_lock
  if [[ ${1:-} == all ]]; then
    local dir
    for dir in "$TESTBED_DIR"/cd-*/; do
      [[ -d $dir ]] || continue
      dir=${dir%/}
      CTR_TESTBED_CONTAINERD=${dir##*/cd-}
      select_version
      stop_containerd
    done
  else
    stop_containerd
  fi
  local dir others=0
  for dir in "$TESTBED_DIR"/cd-*/; do
    [[ -d $dir ]] || continue
    pid_running "${dir%/}/containerd.pid" "${dir%/}/config.toml" && others=1
  done
  if [[ $others == 0 ]]; then
    stop_registry
  else
    note "registry left running for the other test-bed containerd"
  fi
}

select_version
case "${1:-}" in
  up) cmd_up ;;
  install) cmd_install ;;
  env) cmd_env ;;
  status) cmd_status ;;
  check) cmd_check ;;
  down) cmd_down "${2:-}" ;;
  *)
    echo "usage: scripts/testbed.sh up|down [all]|env|status|check|install" >&2
    exit 2
    ;;
esac
