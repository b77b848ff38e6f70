#!/usr/bin/env bash
# Measures Civic Credit under load, on this machine only (loopback addresses; see docs/performance.md):
#   1. starts the whole system as scripts/up.sh does (infrastructure, build, the three services run from
#      copies under $CIVIC_CREDIT_HOME/apps, demo data), with rewards-service's contest window shortened to
#      one second so that the wallets the redemption scenario funds can spend at once;
#   2. builds the load driver (module load-test, Maven profile "load") and runs it from a copy under
#      $CIVIC_CREDIT_HOME/apps/load-test: it provisions data, measures the echo baseline and every scenario,
#      and writes load-test/results/<date>.md and .csv;
#   3. stops the services again.
#
#   scripts/load.sh [DRIVER OPTIONS]                 everything above
#   scripts/load.sh --keep-running [DRIVER OPTIONS]  leave the services running afterwards
#   scripts/load.sh --running [DRIVER OPTIONS]       against the services already running (no restart, no stop)
#   scripts/load.sh --help                           the driver's options (e.g. --seconds 20 --scenarios echo,score
#                                                    --jfr true to record each service with JFR per phase)
#
# LOAD_DRIVER_CPUS=1 LOAD_SYSTEM_CPUS=0 scripts/load.sh ...   the driver on CPU 1 only, and everything it measures
#   (the three services, PostgreSQL, Redis, Keycloak) on CPU 0 only, so that the driver does not compete with the
#   system for cores (taskset lists: 0, 1, 0-3, ...). The system's processes get every CPU back when the script
#   ends (also with --keep-running). The results' machine facts show where each process was allowed to run.
#   LOAD_PIN_AT_START=yes starts the services already on LOAD_SYSTEM_CPUS, so that each JVM sizes its threads and
#   chooses its collector for the CPUs it gets, as in a container of that size (one CPU: the serial collector for
#   reports-service and rewards-service); by default they start on every CPU and are pinned after start-up.
# LOAD_DRIVER_JAVA_OPTS="-Xmn512m" scripts/load.sh ...   extra JVM options for the driver, after its -Xms256m -Xmx1g
#   (word-split; the results' facts give the driver's JVM options and collectors).
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source-path=SCRIPTDIR source=lib/common.sh
source "$SCRIPT_DIR/lib/common.sh"

readonly DRIVER="$APPS/load-test"

start=yes
stop=yes
case "${1:-}" in
  --running) start=no stop=no; shift ;;
  --keep-running) stop=no; shift ;;
esac

build_driver() {
  say "load" "building the load driver (./mvnw -Pload package -pl load-test -am; log: $LOG_DIR/load-build.log)"
  mkdir -p "$LOG_DIR"
  if ! (cd "$REPO" && ./mvnw -B --no-transfer-progress -Pload package -pl load-test -am -DskipTests \
    >"$LOG_DIR/load-build.log" 2>&1); then
    tail -n 30 "$LOG_DIR/load-build.log" >&2
    die "load" "building the driver failed; see $LOG_DIR/load-build.log"
  fi
  rm -rf "$DRIVER" && mkdir -p "$DRIVER"
  cp "$REPO"/load-test/target/load-test-*.jar "$DRIVER/load-test.jar"
  cp -r "$REPO/load-test/target/lib" "$DRIVER/lib"
}

service_pids() {
  local name pid list=""
  for name in reports scoring rewards; do
    pid=$(cat "$RUN_DIR/$name-service.pid" 2>/dev/null || true)
    pid_alive "$pid" || die "load" "$name-service is not running (scripts/up.sh status)"
    list+="${list:+,}$name=$pid"
  done
  echo "$list"
}

if [[ "${1:-}" == "--help" ]]; then
  [[ -f "$DRIVER/load-test.jar" ]] || build_driver
  java -jar "$DRIVER/load-test.jar" --help 2>&1 | sed 1d
  exit 0
fi

# Each JVM (services and driver) logs its safepoints, stamped with System.nanoTime (one clock for all of them), so
# that the driver can lay the open-loop phases' slow calls over the stops of every process (--safepoint-logs).
readonly SAFEPOINT_LOG="-Xlog:safepoint:file=$LOG_DIR/safepoints-%p.log:timenanos"
if [[ $start == yes ]]; then
  mkdir -p "$LOG_DIR" && rm -f "$LOG_DIR"/safepoints-*.log
  # LOAD_PIN_AT_START=yes (see above) through scripts/up.sh's CIVIC_SERVICE_CPUS.
  service_cpus=""
  [[ "${LOAD_PIN_AT_START:-no}" == yes ]] && service_cpus="${LOAD_SYSTEM_CPUS:-}"
  CIVIC_SERVICE_CPUS="$service_cpus" CIVIC_JAVA_OPTS="${CIVIC_JAVA_OPTS:-} $SAFEPOINT_LOG" REWARDS_CONTEST_WINDOW=PT1S \
    "$SCRIPT_DIR/up.sh"
fi
build_driver
# When PostgreSQL runs without autovacuum (this machine's conf.d/90-ci.conf), the driver vacuums and analyses the
# services' databases before every measured phase (load-test's Autovacuum), as autovacuum would have.
pids=$(service_pids)
commit=$(cd "$REPO" && git rev-parse --short HEAD 2>/dev/null || echo unknown)
if [[ -n "$(cd "$REPO" && git status --porcelain 2>/dev/null)" ]]; then
  commit+=" (with uncommitted changes)"
fi
# What each service runs on, read off its process: the JDK of its executable, the JVM options it was given and the
# tuning settings in its environment.
services_jdk=""
for name in reports scoring rewards; do
  pid=$(cat "$RUN_DIR/$name-service.pid")
  exe=$(readlink -f "/proc/$pid/exe")
  jvm_opts=$(tr '\0' '\n' <"/proc/$pid/cmdline" | { grep -E '^-X' || true; } | { grep -v '^-Xlog:safepoint' || true; } | paste -sd ' ' -)
  # Settings the services take from the environment that change how they perform (group commit, the outbox relay,
  # pool sizes, event loops and I/O threads).
  tuning=$(tr '\0' '\n' <"/proc/$pid/environ" 2>/dev/null \
    | { grep -E '^(INTAKE_GROUP_COMMIT_[A-Z_]+|RELAY_[A-Z_]+|[A-Z]+_DB_POOL_SIZE|QUARKUS_VERTX_EVENT_LOOPS_POOL_SIZE|QUARKUS_HTTP_IO_THREADS)=' || true; } \
    | paste -sd ' ' -)
  # The collector the JVM chose (its ergonomics pick by the CPUs and memory it sees at start, unless told).
  collector=$("$(jcmd_of "$pid")" "$pid" VM.flags 2>/dev/null | tr ' ' '\n' \
    | sed -nE 's/^-XX:\+Use([A-Za-z0-9]+)GC$/\1/p' | head -n 1 || true)
  services_jdk+="${services_jdk:+; }$name: $("$exe" -version 2>&1 | head -n 1) $jvm_opts${collector:+ (collector $collector)}"
  services_jdk+="${tuning:+ (env: $tuning)}"
done

# The processes the driver measures; PostgreSQL's backends are forked from its postmaster, so pinning it pins the
# connections opened later too.
system_pids() {
  local name
  for name in reports scoring rewards; do cat "$RUN_DIR/$name-service.pid" 2>/dev/null || true; done
  cat "$RUN_DIR/keycloak.pid" 2>/dev/null || true
  pgrep -x redis-server || true
  pgrep -x postgres || true
}

pin_system() {
  local pid
  for pid in $(system_pids); do
    taskset -a -p -c "$1" "$pid" >/dev/null 2>&1 || say "load" "could not pin process $pid to CPUs $1 (continuing)"
  done
}

driver_prefix=()
if [[ -n "${LOAD_DRIVER_CPUS:-}" ]]; then
  [[ -n "${LOAD_SYSTEM_CPUS:-}" ]] || die "load" "LOAD_DRIVER_CPUS needs LOAD_SYSTEM_CPUS (the CPUs for everything else)"
  all_cpus="0-$(($(nproc --all) - 1))"
  say "load" "driver on CPUs $LOAD_DRIVER_CPUS; services, PostgreSQL, Redis and Keycloak on CPUs $LOAD_SYSTEM_CPUS"
  trap 'pin_system "$all_cpus"' EXIT
  pin_system "$LOAD_SYSTEM_CPUS"
  driver_prefix=(taskset -c "$LOAD_DRIVER_CPUS")
fi

read -r -a driver_opts <<<"${LOAD_DRIVER_JAVA_OPTS:-}"
status=0
(cd "$REPO" && "${driver_prefix[@]}" java -Xms256m -Xmx1g "${driver_opts[@]}" "$SAFEPOINT_LOG" \
  -jar "$DRIVER/load-test.jar" --pids "$pids" \
  --commit "$commit" --safepoint-logs "$LOG_DIR" --services-jdk "$services_jdk" \
  --results "$REPO/load-test/results" "$@") || status=$?

if [[ $stop == yes ]]; then
  "$SCRIPT_DIR/up.sh" stop
fi
exit $status
