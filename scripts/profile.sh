#!/usr/bin/env bash
# Samples where the running services (and the load driver) spend their CPU, with async-profiler, on this machine only:
#
#   scripts/profile.sh start [NAME...]          start sampling (default: reports scoring rewards, and the load driver
#                                               when one is running); NAME is reports, scoring, rewards or driver
#   scripts/profile.sh stop DIR [NAME...]       stop, and write DIR/NAME.collapsed (one line per stack and its number
#                                               of samples; kernel frames end in _[k]) and DIR/NAME.html (a flame graph)
#
# PROFILE_EVENT=cpu (default; the kernel's cpu-clock, so system calls and the scheduler show too; itimer where perf
# events are not allowed), PROFILE_INTERVAL=1ms.
#
# Unlike the driver's --jfr, which records every service for a whole phase, this attaches to processes that are
# already running, for as long as you choose (e.g. the middle of one load phase, from another terminal), and it sees
# native and kernel frames: where a call's time goes in system calls and task switches (docs/performance.md, twentieth
# round). Attaching costs each JVM a few hundred milliseconds of CPU, and sampling slows it: a profiled phase is not a
# measured one.
#
# async-profiler (tools.profiler:async-profiler, Apache 2.0) comes from Maven Central through the repository's Maven
# wrapper, once, into $CIVIC_CREDIT_HOME/async-profiler-$ASYNC_PROFILER_VERSION.
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source-path=SCRIPTDIR source=lib/common.sh
source "$SCRIPT_DIR/lib/common.sh"

readonly ASYNC_PROFILER_VERSION=4.2
readonly AP_HOME="$CIVIC_CREDIT_HOME/async-profiler-$ASYNC_PROFILER_VERSION"
readonly AP_LIB="$AP_HOME/linux-x64/libasyncProfiler.so"

usage() {
  sed -n '2,10p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
  exit "${1:-0}"
}

install_profiler() {
  [[ -f "$AP_LIB" ]] && return 0
  [[ "$(uname -sm)" == "Linux x86_64" ]] || die "profile" "async-profiler is set up here for Linux x86_64 only"
  command -v unzip >/dev/null 2>&1 || apt_install "profile" unzip || die "profile" "unzip is needed"
  mkdir -p "$CIVIC_CREDIT_HOME" "$LOG_DIR"
  local work
  work="$(mktemp -d "$CIVIC_CREDIT_HOME/.async-profiler.XXXXXX")"
  if ! maven_copy "profile" "tools.profiler:async-profiler:$ASYNC_PROFILER_VERSION" "$work" \
    "$LOG_DIR/async-profiler-download.log"; then
    rm -rf "$work"
    die "profile" "could not download async-profiler"
  fi
  unzip -q "$work/async-profiler-$ASYNC_PROFILER_VERSION.jar" 'linux-x64/*' -d "$work/unpacked" ||
    { rm -rf "$work"; die "profile" "the async-profiler jar has no linux-x64 library"; }
  rm -rf "$AP_HOME" && mv -T "$work/unpacked" "$AP_HOME"
  rm -rf "$work"
  say "profile" "installed in $AP_HOME"
}

pid_of() {
  local pid
  case "$1" in
    reports | scoring | rewards) pid=$(cat "$RUN_DIR/$1-service.pid" 2>/dev/null || true) ;;
    driver) pid=$(pgrep -f "$APPS/load-test/load-test.jar" | head -n 1 || true) ;;
  esac
  pid_alive "$pid" || return 1
  echo "$pid"
}

# jcmd's own parser splits an option at '=' unless it is quoted inside the argument.
agent() {
  local pid=$1 options=$2 out
  out=$("$(jcmd_of "$pid")" "$pid" JVMTI.agent_load "$AP_LIB" "\"$options\"" 2>&1) || true
  [[ "$out" == *"return code: 0"* ]]
}

# NAMES: the processes named, each checked, or the default ones.
set_names() {
  local name
  NAMES=("$@")
  for name in "${NAMES[@]}"; do
    [[ $name =~ ^(reports|scoring|rewards|driver)$ ]] ||
      die "profile" "unknown process '$name' (reports, scoring, rewards or driver)"
  done
  if ((${#NAMES[@]} == 0)); then
    NAMES=(reports scoring rewards)
    if pid_of driver >/dev/null; then NAMES+=(driver); fi
  fi
}

cmd=${1:-}
case "$cmd" in
  start)
    shift
    set_names "$@"
    install_profiler
    mkdir -p "$RUN_DIR"
    for name in "${NAMES[@]}"; do
      pid=$(pid_of "$name") || die "profile" "$name is not running"
      agent "$pid" "start,event=${PROFILE_EVENT:-cpu},interval=${PROFILE_INTERVAL:-1ms}" ||
        die "profile" "$name (pid $pid): async-profiler did not start; its output is in the process's own log"
      echo "$pid" >"$RUN_DIR/profile-$name.started"
      say "profile" "$name (pid $pid): sampling"
    done
    ;;
  stop)
    shift
    (($# > 0)) || usage 2
    dir=$1
    shift
    set_names "$@"
    mkdir -p "$dir"
    dir=$(cd "$dir" && pwd)
    for name in "${NAMES[@]}"; do
      pid=$(pid_of "$name") || { warn "profile" "$name is not running"; continue; }
      # async-profiler keeps its last profile after a stop; this keeps a second stop from writing it out again.
      if [[ "$(cat "$RUN_DIR/profile-$name.started" 2>/dev/null || true)" != "$pid" ]]; then
        warn "profile" "$name (pid $pid) is not being sampled (scripts/profile.sh start $name)"
        continue
      fi
      rm -f "$RUN_DIR/profile-$name.started"
      agent "$pid" "dump,file=$dir/$name.html,flamegraph" || warn "profile" "$name: no flame graph written"
      agent "$pid" "stop,file=$dir/$name.collapsed,collapsed" ||
        { warn "profile" "$name (pid $pid): async-profiler did not stop; its output is in the process's own log"; continue; }
      say "profile" "$name: $dir/$name.collapsed, $dir/$name.html"
    done
    ;;
  -h | --help) usage 0 ;;
  *) usage 2 ;;
esac
