#!/usr/bin/env bash
# Set up passage on a Debian/Ubuntu machine: system packages, npm dependencies, build.
# Safe to run again: a second run skips apt and `npm ci` and only rebuilds.
set -euo pipefail

usage() {
  cat <<'EOF'
Usage: bash scripts/setup.sh [--no-system | --system-only] [--help]

Sets up passage on a Debian or Ubuntu machine:
  1. checks that Node.js >= 20.19 is installed;
  2. installs the Debian packages the tests need, only those that are missing:
       nats-server slapd ldap-utils samba winbind krb5-user ldb-tools faketime
       chromium openssl samba-ad-provision samba-dsdb-modules samba-vfs-modules
     The daemons of these packages are kept from starting during the install
     (the tests run their own slapd, Samba DC and nats-server on fixed ports);
     on a systemd machine the services of packages installed here are disabled;
  3. runs `npm ci`, unless node_modules was already installed from the same
     package-lock.json;
  4. runs `npm run build`.
It may be run any number of times; a second run only rebuilds.

Options:
  --no-system     skip the Debian packages (same as PASSAGE_SKIP_APT=1)
  --system-only   only the Debian packages (e.g. `sudo bash scripts/setup.sh --system-only`,
                  then `bash scripts/setup.sh --no-system` as yourself)
  -h, --help      show this help
EOF
}

step() { printf '==> %s\n' "$*"; }
info() { printf '    %s\n' "$*"; }
die() {
  printf 'setup: error: %s\n' "$1" >&2
  shift
  local line
  for line in "$@"; do printf '    %s\n' "$line" >&2; done
  exit 1
}

do_system=1
do_node=1
[[ "${PASSAGE_SKIP_APT:-}" == 1 ]] && do_system=0
for arg in "$@"; do
  case "$arg" in
    --no-system) do_system=0 ;;
    --system-only) do_node=0 ;;
    -h | --help)
      usage
      exit 0
      ;;
    *)
      die "unknown argument: $arg (see --help)"
      ;;
  esac
done
if [[ $do_system == 0 && $do_node == 0 ]]; then
  die "--system-only together with --no-system (or PASSAGE_SKIP_APT=1) leaves nothing to do"
fi

ROOT="$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.." && pwd -P)"
cd "$ROOT"

# --- Node ----------------------------------------------------------------------------------
REQUIRED_NODE="20.19"
check_node() {
  step "Checking Node.js (>= $REQUIRED_NODE)"
  local node_help="Install Node.js $REQUIRED_NODE or newer (20 LTS or later), e.g. with nvm"
  node_help+=" (nvm install 20) or from https://nodejs.org/en/download, then run this again."
  command -v node >/dev/null 2>&1 || die "node was not found on PATH." "$node_help"
  command -v npm >/dev/null 2>&1 || die "npm was not found on PATH." "$node_help"
  local version major minor
  version="$(node -p 'process.versions.node')"
  IFS=. read -r major minor _ <<<"$version"
  if ((major < 20 || (major == 20 && minor < 19))); then
    die "Node.js $version is too old: passage needs >= $REQUIRED_NODE." "$node_help"
  fi
  info "node $version, npm $(npm --version)"
}
check_node

# --- Debian packages -----------------------------------------------------------------------
# samba-ad-provision, samba-dsdb-modules and samba-vfs-modules are only recommended by samba,
# and --no-install-recommends leaves them out; without them `samba-tool domain provision`
# cannot make the test domain controller.
PACKAGES=(nats-server slapd ldap-utils samba samba-ad-provision samba-dsdb-modules
  samba-vfs-modules winbind krb5-user ldb-tools faketime chromium openssl)
DAEMONS=(slapd samba smbd nmbd winbindd nats-server)
POLICY_RC_D=/usr/sbin/policy-rc.d
created_policy=0

cleanup() {
  if [[ $created_policy == 1 ]]; then
    rm -f -- "$POLICY_RC_D"
    created_policy=0
    info "removed the temporary $POLICY_RC_D"
  fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# "pid name" of every running process whose name is one of DAEMONS.
daemon_pids() {
  local dir name d
  for dir in /proc/[0-9]*; do
    name="$(cat "$dir/comm" 2>/dev/null)" || continue
    for d in "${DAEMONS[@]}"; do
      if [[ $name == "$d" ]]; then
        printf '%s %s\n' "${dir#/proc/}" "$name"
        break
      fi
    done
  done
}

# systemd units of a package, or of a daemon process name.
units_of() {
  case "$1" in
    slapd) echo slapd ;;
    samba) echo samba-ad-dc smbd nmbd ;;
    smbd) echo smbd ;;
    nmbd) echo nmbd ;;
    winbind | winbindd) echo winbind ;;
    nats-server) echo nats-server ;;
  esac
}

install_system_packages() {
  step "Checking Debian packages: ${PACKAGES[*]}"
  if ! command -v dpkg-query >/dev/null 2>&1 || ! command -v apt-get >/dev/null 2>&1; then
    die "dpkg/apt-get not found: this script installs system packages on Debian or Ubuntu only." \
      "Install these (or your distribution's equivalents) yourself:" \
      "  ${PACKAGES[*]}" \
      "then run: bash scripts/setup.sh --no-system"
  fi

  local missing=() pkg status
  for pkg in "${PACKAGES[@]}"; do
    status="$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)"
    [[ $status == "install ok installed" ]] || missing+=("$pkg")
  done
  if ((${#missing[@]} == 0)); then
    info "all installed, nothing to do"
    return 0
  fi
  info "missing: ${missing[*]}"

  if [[ $EUID -ne 0 ]]; then
    die "installing packages needs root. Either run:" \
      "  sudo bash scripts/setup.sh --system-only && bash scripts/setup.sh --no-system" \
      "(which also keeps the newly installed daemons from starting), or install them yourself:" \
      "  sudo apt-get update && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends ${missing[*]}" \
      "  (then stop and disable the slapd, smbd, nmbd, winbind and nats-server services it starts)" \
      "and run this script again."
  fi

  # Keep invoke-rc.d / deb-systemd-invoke from starting slapd, samba, winbind and nats-server:
  # they would hold ports 389, 636 and 88 that the tests' own Samba DC needs.
  if [[ -e $POLICY_RC_D ]]; then
    info "$POLICY_RC_D already exists, using it as it is"
  else
    printf '#!/bin/sh\n# Written by passage scripts/setup.sh for the duration of apt-get install.\nexit 101\n' \
      >"$POLICY_RC_D"
    created_policy=1
    chmod 755 "$POLICY_RC_D"
    info "created a temporary $POLICY_RC_D (exit 101) so no daemon is started"
  fi

  local before
  before="$(daemon_pids)"

  export DEBIAN_FRONTEND=noninteractive
  local started=$SECONDS
  step "apt-get update"
  apt-get update </dev/null
  step "apt-get install ${missing[*]}"
  apt-get install -y --no-install-recommends \
    -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold \
    "${missing[@]}" </dev/null
  info "installed in $((SECONDS - started)) s"
  cleanup

  step "Checking that the install left no daemon running"
  local new=() line pid name
  while read -r pid name; do
    [[ -n $pid ]] || continue
    grep -qx "$pid $name" <<<"$before" || new+=("$pid:$name")
  done < <(daemon_pids)

  if [[ "$(cat /proc/1/comm 2>/dev/null)" == systemd ]]; then
    # Units of the packages installed now (they would start at the next boot) and of any
    # daemon that was started anyway.
    local units=() unit u p
    for p in "${missing[@]}" "${new[@]#*:}"; do
      for u in $(units_of "$p"); do
        [[ " ${units[*]} " == *" $u "* ]] || units+=("$u")
      done
    done
    for unit in "${units[@]}"; do
      if systemctl cat "$unit.service" >/dev/null 2>&1; then
        systemctl disable --now "$unit.service" 2>&1 | sed 's/^/    /' || true
        info "systemd: disabled and stopped $unit.service"
      fi
    done
  elif ((${#new[@]} > 0)); then
    for p in "${new[@]}"; do
      info "stopping ${p#*:} (pid ${p%%:*}), started by the install"
      kill -TERM "${p%%:*}" 2>/dev/null || true
    done
    sleep 2
    for p in "${new[@]}"; do
      if kill -0 "${p%%:*}" 2>/dev/null; then
        kill -KILL "${p%%:*}" 2>/dev/null || true
      fi
    done
  fi
  local remaining=()
  while read -r pid name; do
    [[ -n $pid ]] || continue
    grep -qx "$pid $name" <<<"$before" || remaining+=("$name($pid)")
  done < <(daemon_pids)
  if ((${#remaining[@]} > 0)); then
    die "these daemons are still running after the install: ${remaining[*]}" \
      "Stop them (they hold ports the tests need) and run this script again."
  fi
  if ((${#new[@]} == 0)); then
    info "no daemon was started"
  fi
}

if [[ $do_system == 1 ]]; then
  install_system_packages
else
  step "Skipping Debian packages (--no-system / PASSAGE_SKIP_APT=1)"
fi

[[ $do_node == 1 ]] || exit 0

# --- npm -----------------------------------------------------------------------------------
STAMP=node_modules/.passage-lock.sha256
[[ -f package-lock.json ]] || die "package-lock.json is missing in $ROOT." \
  "Run 'npm install' once to create it."
lock_sha="$(sha256sum package-lock.json | cut -d' ' -f1)"
if [[ -f $STAMP && "$(cat "$STAMP")" == "$lock_sha" ]]; then
  step "npm ci: skipped, node_modules matches package-lock.json"
else
  step "npm ci"
  npm ci --no-audit --no-fund </dev/null
  printf '%s\n' "$lock_sha" >"$STAMP"
fi

step "npm run build"
npm run build </dev/null || die "npm run build failed (see the compiler output above)."

step "Done"
