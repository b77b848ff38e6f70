# shellcheck shell=bash
# Shared helpers for the scripts in scripts/. Source it; do not run it.
#
# Sets REPO (the repository root), CIVIC_CREDIT_HOME (default ~/.cache/civic-credit) and the
# RUN_DIR / LOG_DIR / APPS (the copies the services and the load driver run from) below it, and provides messages,
# root escalation, apt installs, Maven Central downloads, port probes and a JVM's jcmd.

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
CIVIC_CREDIT_HOME="${CIVIC_CREDIT_HOME:-$HOME/.cache/civic-credit}"
RUN_DIR="$CIVIC_CREDIT_HOME/run"
LOG_DIR="$CIVIC_CREDIT_HOME/logs"
APPS="$CIVIC_CREDIT_HOME/apps"
export REPO CIVIC_CREDIT_HOME RUN_DIR LOG_DIR APPS

# say COMPONENT MESSAGE... : one line on stdout, "component: message".
say() {
  local component=$1
  shift
  printf '%s: %s\n' "$component" "$*"
}

# warn COMPONENT MESSAGE... : one line on stderr.
warn() {
  local component=$1
  shift
  printf '%s: %s\n' "$component" "$*" >&2
}

# die COMPONENT MESSAGE... : one line on stderr, then exit 1.
die() {
  warn "$@"
  exit 1
}

# as_root CMD... : run CMD as root (directly when root, else through non-interactive sudo).
as_root() {
  if [[ $EUID -eq 0 ]]; then
    "$@"
  elif command -v sudo >/dev/null 2>&1; then
    sudo -n "$@"
  else
    warn "infra" "need root for: $* (run as root or install sudo)"
    return 1
  fi
}

# apt_install COMPONENT PACKAGE... : install Debian/Ubuntu packages; runs apt-get update only when
# the install fails with the current package lists. Output goes to $LOG_DIR/apt.log.
apt_install() {
  local component=$1
  shift
  command -v apt-get >/dev/null 2>&1 || {
    warn "$component" "apt-get not available; install $* yourself"
    return 1
  }
  mkdir -p "$LOG_DIR"
  local apt_log="$LOG_DIR/apt.log"
  say "$component" "installing $* with apt-get (log: $apt_log)"
  if as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$@" >>"$apt_log" 2>&1; then
    return 0
  fi
  say "$component" "running apt-get update and retrying"
  if as_root apt-get update -q >>"$apt_log" 2>&1 &&
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$@" >>"$apt_log" 2>&1; then
    return 0
  fi
  warn "$component" "apt-get install $* failed; last lines of $apt_log:"
  tail -n 5 "$apt_log" >&2
  return 1
}

# tcp_open HOST PORT : true when something accepts TCP connections there.
tcp_open() {
  # shellcheck disable=SC2016 # $1/$2 expand in the inner shell
  timeout 2 bash -c 'exec 3<>"/dev/tcp/$1/$2"' _ "$1" "$2" 2>/dev/null
}

# pid_alive PID : true when PID is a running process.
pid_alive() {
  [[ -n "${1:-}" ]] && kill -0 "$1" 2>/dev/null
}

# jcmd_of PID : the jcmd of the JDK the process runs on (so that the attach protocol matches), else the one on PATH.
jcmd_of() {
  local exe
  exe=$(readlink "/proc/$1/exe")
  if [[ -x "$(dirname "$exe")/jcmd" ]]; then echo "$(dirname "$exe")/jcmd"; else command -v jcmd; fi
}

# maven_copy COMPONENT ARTIFACT DIR LOG : copies one artifact (groupId:artifactId:version[:type[:classifier]]) from
# Maven Central into DIR with the repository's Maven wrapper, logging to LOG. It runs in DIR, which should be empty, so
# that Maven never reads (or builds) the repository's own POMs.
maven_copy() {
  local component=$1 artifact=$2 dir=$3 log=$4
  say "$component" "downloading $artifact with the Maven wrapper (log: $log)"
  if ! (cd "$dir" && "$REPO/mvnw" -B -q \
    org.apache.maven.plugins:maven-dependency-plugin:3.8.1:copy \
    "-Dartifact=$artifact" "-DoutputDirectory=$dir") >"$log" 2>&1; then
    tail -n 20 "$log" >&2
    warn "$component" "download of $artifact failed"
    return 1
  fi
}
