#!/usr/bin/env bash
# Brings the whole Civic Credit system up on this machine:
#   1. PostgreSQL, Redis and Keycloak (scripts/infra.sh up: uses, starts or installs them);
#   2. builds every module (./mvnw package, tests skipped: scripts/test.sh runs them);
#   3. starts reports-service (8081), scoring-service (8082) and rewards-service (8083) from copies of the
#      build under $CIVIC_CREDIT_HOME/apps, logs in $CIVIC_CREDIT_HOME/logs; scoring-service publishes the demo
#      rule table deploy/demo/rule-table.yaml as it starts (SCORING_RULE_TABLE_LOAD_ON_START, once per table);
#   4. loads the rest of the demo: the two demo agencies, the demo merchant (idempotent: running it again
#      changes nothing);
#   5. prints where everything listens and a first call to try.
#
# CIVIC_JAVA_OPTS, if set, is added to each service's java command line after the heap settings (word-split:
# e.g. CIVIC_JAVA_OPTS="-Xms1g -Xlog:gc:file=/tmp/gc-%p.log"), for tuning and diagnosing the JVM.
# CIVIC_JAVA, if set, is the java executable the services run on (default: java on the PATH), e.g.
# CIVIC_JAVA=/usr/lib/jvm/temurin-25-jdk-amd64/bin/java. SCORING_GC_OPTS, if set, replaces scoring-service's
# collector options (word-split; see start_services). CIVIC_SERVICE_CPUS, if set, starts the three services already
# confined to those CPUs (a taskset list: 0, 1, 0-3, ...), so that each JVM sizes its event loops, collector and
# worker threads for the CPUs it will run on, as it would in a container with that many CPUs.
#
#   scripts/up.sh            everything above (restarts services that are already running)
#   scripts/up.sh stop       stops the three services (scripts/infra.sh down stops the infrastructure)
#   scripts/up.sh status     one line per service
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source-path=SCRIPTDIR source=lib/common.sh
source "$SCRIPT_DIR/lib/common.sh"

readonly SERVICES=(reports:8081 scoring:8082 rewards:8083)

stop_services() {
  local entry name pid
  for entry in "${SERVICES[@]}"; do
    name=${entry%%:*}
    pid=$(cat "$RUN_DIR/$name-service.pid" 2>/dev/null || true)
    if pid_alive "$pid"; then
      kill "$pid"
      for _ in $(seq 1 60); do pid_alive "$pid" || break; sleep 0.25; done
      pid_alive "$pid" && kill -9 "$pid"
      say "$name-service" "stopped"
    fi
    rm -f "$RUN_DIR/$name-service.pid"
  done
}

status_services() {
  local entry name port pid rc=0
  for entry in "${SERVICES[@]}"; do
    name=${entry%%:*} port=${entry##*:}
    pid=$(cat "$RUN_DIR/$name-service.pid" 2>/dev/null || true)
    if pid_alive "$pid" && curl -fsS "http://127.0.0.1:$port/q/health/ready" >/dev/null 2>&1; then
      say "$name-service" "up on 127.0.0.1:$port (pid $pid)"
    else
      say "$name-service" "down"
      rc=3
    fi
  done
  return $rc
}

build() {
  say "build" "./mvnw package (tests skipped; log: $LOG_DIR/build.log)"
  mkdir -p "$LOG_DIR"
  if ! (cd "$REPO" && ./mvnw -B --no-transfer-progress package -DskipTests >"$LOG_DIR/build.log" 2>&1); then
    tail -n 30 "$LOG_DIR/build.log" >&2
    die "build" "failed; see $LOG_DIR/build.log"
  fi
}

# Copies the built applications out of target/ so a rebuild never pulls files from under a running service.
install_apps() {
  local entry name
  rm -rf "$APPS.new" && mkdir -p "$APPS.new"
  for entry in "${SERVICES[@]}"; do
    name=${entry%%:*}
    cp -r "$REPO/$name-service/target/quarkus-app" "$APPS.new/$name-service"
  done
  mkdir -p "$APPS.new/civic-cli"
  cp "$REPO"/civic-cli/target/civic-cli-*.jar "$APPS.new/civic-cli/civic-cli.jar"
  cp -r "$REPO/civic-cli/target/lib" "$APPS.new/civic-cli/lib"
  rm -rf "$APPS" && mv "$APPS.new" "$APPS"
}

start_services() {
  local entry name port started heap
  local -a extra_opts gc_opts
  local -a cpu_prefix=()
  read -r -a extra_opts <<<"${CIVIC_JAVA_OPTS:-}"
  [[ -n "${CIVIC_SERVICE_CPUS:-}" ]] && cpu_prefix=(taskset -c "$CIVIC_SERVICE_CPUS")
  mkdir -p "$RUN_DIR" "$LOG_DIR"
  for entry in "${SERVICES[@]}"; do
    name=${entry%%:*} port=${entry##*:}
    if tcp_open 127.0.0.1 "$port"; then
      die "$name-service" "port $port is taken by another process; free it and run again"
    fi
    # scoring-service also holds the near cache of live scores: up to SCORING_LIVE_NEAR_MAX_ENTRIES (a million)
    # entries of about 0.2 KB each, so it gets a larger heap.
    # A G1 pause goal of 10 ms: while the near cache's reads wrote references (Caffeine's eviction order, until the
    # eleventh round), G1's default goal of 200 ms left those writes to be scanned inside its young pauses, 12-22 ms
    # of each under load; the goal had them refined concurrently (docs/performance.md, tenth round). Reads now write
    # no references; the goal stays, as every measurement since was made with it. G1 is named because the goal is
    # G1's: a JVM that sees one CPU (CIVIC_SERVICE_CPUS=0) would otherwise choose the serial collector.
    heap=512m gc_opts=()
    if [[ $name == scoring ]]; then
      heap=1g gc_opts=(-XX:+UseG1GC -XX:MaxGCPauseMillis=10)
      [[ -n "${SCORING_GC_OPTS:-}" ]] && read -r -a gc_opts <<<"$SCORING_GC_OPTS"
    fi
    # Only scoring-service reads SCORING_*: it publishes the demo rule table unless it already has it.
    SCORING_RULE_TABLE_LOAD_ON_START="${SCORING_RULE_TABLE_LOAD_ON_START:-$REPO/deploy/demo/rule-table.yaml}" \
      setsid nohup "${cpu_prefix[@]}" "${CIVIC_JAVA:-java}" -Xms64m "-Xmx$heap" "${gc_opts[@]}" "${extra_opts[@]}" \
      -jar "$APPS/$name-service/quarkus-run.jar" >"$LOG_DIR/$name-service.log" 2>&1 </dev/null &
    echo $! >"$RUN_DIR/$name-service.pid"
  done
  for entry in "${SERVICES[@]}"; do
    name=${entry%%:*} port=${entry##*:}
    started=$SECONDS
    until curl -fsS "http://127.0.0.1:$port/q/health/ready" >/dev/null 2>&1; do
      if ! pid_alive "$(cat "$RUN_DIR/$name-service.pid")"; then
        tail -n 30 "$LOG_DIR/$name-service.log" >&2
        die "$name-service" "exited during start-up; log: $LOG_DIR/$name-service.log"
      fi
      ((SECONDS - started < 120)) || die "$name-service" "not ready after 120 s; log: $LOG_DIR/$name-service.log"
      sleep 0.5
    done
    say "$name-service" "ready on 127.0.0.1:$port"
  done
}

# Registers something once: ALREADY_EXISTS (registered by an earlier run) is fine.
register_once() {
  local what=$1
  shift
  local out
  if out=$("$REPO/civic" "$@" 2>&1); then
    say "demo" "$what registered"
  elif grep -q ALREADY_EXISTS <<<"$out"; then
    say "demo" "$what already registered"
  else
    printf '%s\n' "$out" >&2
    die "demo" "could not register $what"
  fi
}

load_demo() {
  # scoring-service published the demo rule table as it started (or found it there): its log says which.
  say "demo" "$(grep -o 'rule table file .*' "$LOG_DIR/scoring-service.log" | tail -n 1)"
  register_once "agency greenway-volunteers" call civiccredit.reports.v1.AgencyService/RegisterAgency \
    '{"idempotencyKey":"demo-agency-greenway","agencyId":"greenway-volunteers","displayName":"Greenway Volunteers","allowedCategories":["VOLUNTEERING","ENVIRONMENT","PROGRAM_CONDUCT"],"keycloakClientId":"agency-greenway"}'
  register_once "agency northside-food-bank" call civiccredit.reports.v1.AgencyService/RegisterAgency \
    '{"idempotencyKey":"demo-agency-northside","agencyId":"northside-food-bank","displayName":"Northside Food Bank","allowedCategories":["COMMUNITY_IMPROVEMENT","VOLUNTEERING","PROGRAM_CONDUCT"],"keycloakClientId":"agency-northside"}'
  register_once "merchant corner-cafe" call civiccredit.rewards.v1.MerchantService/RegisterMerchant \
    '{"idempotencyKey":"demo-merchant-corner-cafe","merchantId":"corner-cafe","displayName":"Corner Café","keycloakClientId":"merchant-corner-cafe"}'
}

print_summary() {
  cat <<SUMMARY

Civic Credit is up.
  reports-service  gRPC + HTTP  127.0.0.1:8081   (health: http://127.0.0.1:8081/q/health)
  scoring-service  gRPC + HTTP  127.0.0.1:8082   (health: http://127.0.0.1:8082/q/health)
  rewards-service  gRPC + HTTP  127.0.0.1:8083   (health: http://127.0.0.1:8083/q/health)
  Keycloak         http://127.0.0.1:8180  realm civic-credit (admin console: admin / admin)
  PostgreSQL 127.0.0.1:5432, Redis 127.0.0.1:6379
  logs: $LOG_DIR

A first call to try (the published rule table, read with agency greenway-volunteers' token):
  ./civic call --as agency-greenway civiccredit.scoring.v1.RuleTableService/GetRuleTable '{"version": 0}'

Stop: scripts/up.sh stop   (and scripts/infra.sh down for PostgreSQL/Redis/Keycloak)
SUMMARY
}

case "${1:-up}" in
  up)
    "$SCRIPT_DIR/infra.sh" up
    build
    stop_services
    install_apps
    start_services
    load_demo
    print_summary
    ;;
  stop) stop_services ;;
  status) status_services ;;
  *)
    echo "usage: scripts/up.sh [up|stop|status]" >&2
    exit 2
    ;;
esac
