#!/usr/bin/env bash
# Local infrastructure for Civic Credit: PostgreSQL, Redis and Keycloak on 127.0.0.1.
#
#   scripts/infra.sh up       make all three available (idempotent; installs with apt-get when missing)
#   scripts/infra.sh down     stop what this script started (Keycloak; Postgres/Redis only if it started them)
#   scripts/infra.sh fresh-test-state  drop and recreate the test databases (*_test, *_systest), empty Redis db 1 and 2
#   scripts/infra.sh status   one line per component; exit 3 when something is down
#
# PostgreSQL  127.0.0.1:5432  role civiccredit / civiccredit, databases civic_{reports,scoring,rewards}
#                             plus their _test and _systest variants, and civic_load_test (load-test's own tests)
# Redis       127.0.0.1:6379
# Keycloak    http://127.0.0.1:8180  realm civic-credit from deploy/keycloak/civic-credit-realm.json
#             (dev mode, admin console admin/admin, management/health on 127.0.0.1:9180)
#
# Environment: CIVIC_CREDIT_HOME (default ~/.cache/civic-credit: Keycloak install, logs/, run/),
#              KEYCLOAK_JAVA_HOME (a Java >= 21 for Keycloak), KEYCLOAK_START_TIMEOUT (seconds, default 180).
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source-path=SCRIPTDIR source=lib/common.sh
source "$SCRIPT_DIR/lib/common.sh"

readonly PG_HOST=127.0.0.1
readonly PG_PORT=5432
readonly PG_ROLE=civiccredit
readonly PG_PASSWORD=civiccredit
readonly PG_DATABASES=(
  civic_reports civic_scoring civic_rewards
  civic_reports_test civic_scoring_test civic_rewards_test
  civic_reports_systest civic_scoring_systest civic_rewards_systest
  civic_load_test
)
readonly PG_MARKER="$RUN_DIR/postgres.started-by-infra"

readonly REDIS_HOST=127.0.0.1
readonly REDIS_PORT=6379
readonly REDIS_PIDFILE="$RUN_DIR/redis.pid"

readonly KC_VERSION=26.7.3
readonly KC_HOME="$CIVIC_CREDIT_HOME/keycloak-$KC_VERSION"
readonly KC_HTTP_PORT=8180
readonly KC_MANAGEMENT_PORT=9180
readonly KC_URL="http://127.0.0.1:$KC_HTTP_PORT"
readonly KC_REALM=civic-credit
readonly KC_REALM_URL="$KC_URL/realms/$KC_REALM"
readonly KC_REALM_FILE="$REPO/deploy/keycloak/civic-credit-realm.json"
readonly KC_HASH_FILE="$KC_HOME/data/realm.sha256"
readonly KC_PIDFILE="$RUN_DIR/keycloak.pid"
readonly KC_LOG="$LOG_DIR/keycloak.log"
readonly KC_START_TIMEOUT="${KEYCLOAK_START_TIMEOUT:-180}"

# ---------------------------------------------------------------------------------------------
# PostgreSQL
# ---------------------------------------------------------------------------------------------

pg_ready() {
  if command -v pg_isready >/dev/null 2>&1; then
    pg_isready -q -h "$PG_HOST" -p "$PG_PORT" -t 3
  else
    tcp_open "$PG_HOST" "$PG_PORT"
  fi
}

pg_wait_ready() {
  local i
  for ((i = 0; i < 30; i++)); do
    pg_ready && return 0
    sleep 1
  done
  return 1
}

# Prints "VERSION CLUSTER" of the local Debian cluster meant for port 5432.
pg_local_cluster() {
  local cluster=""
  if command -v pg_lsclusters >/dev/null 2>&1; then
    cluster="$(pg_lsclusters -h 2>/dev/null | awk -v port="$PG_PORT" '$3 == port { print $1, $2; exit }')"
  fi
  if [[ -z "$cluster" && -d /etc/postgresql ]]; then
    local version
    version="$(find /etc/postgresql -mindepth 2 -maxdepth 2 -name main -printf '%P\n' 2>/dev/null |
      cut -d/ -f1 | sort -V | tail -n 1)"
    [[ -n "$version" ]] && cluster="$version main"
  fi
  printf '%s' "$cluster"
}

pg_start_local() {
  local cluster version name
  cluster="$(pg_local_cluster)"
  if [[ -n "$cluster" ]]; then
    read -r version name <<<"$cluster"
    as_root pg_ctlcluster --skip-systemctl-redirect "$version" "$name" start >/dev/null 2>&1 ||
      as_root pg_ctlcluster "$version" "$name" start >/dev/null 2>&1 ||
      as_root service postgresql start >/dev/null 2>&1 || true
  else
    as_root service postgresql start >/dev/null 2>&1 || true
  fi
  pg_wait_ready || return 1
  mkdir -p "$RUN_DIR"
  printf '%s\n' "${cluster:-service}" >"$PG_MARKER"
  say postgres "started (cluster ${cluster:-via service}) on $PG_HOST:$PG_PORT"
}

pg_installed() {
  [[ -n "$(pg_local_cluster)" ]] || command -v postgres >/dev/null 2>&1 ||
    compgen -G '/usr/lib/postgresql/*/bin/postgres' >/dev/null
}

# pg_super ARGS... : psql as a superuser, whichever way works here.
pg_super() {
  local psql_opts=(-X -q -v ON_ERROR_STOP=1 -p "$PG_PORT")
  case "${PG_SUPER_MODE:-}" in
    runuser) runuser -u postgres -- psql "${psql_opts[@]}" "$@" ;;
    sudo) sudo -n -u postgres psql "${psql_opts[@]}" "$@" ;;
    tcp) psql -w -h "$PG_HOST" -U postgres "${psql_opts[@]}" "$@" ;;
    *) return 1 ;;
  esac
}

pg_pick_super_mode() {
  local mode
  for mode in runuser sudo tcp; do
    if [[ $mode == runuser ]] && ! { [[ $EUID -eq 0 ]] && id postgres >/dev/null 2>&1; }; then
      continue
    fi
    if [[ $mode == sudo ]] && ! { [[ $EUID -ne 0 ]] && command -v sudo >/dev/null 2>&1; }; then
      continue
    fi
    if PG_SUPER_MODE=$mode pg_super -d postgres -Atc 'select 1' >/dev/null 2>&1; then
      PG_SUPER_MODE=$mode
      return 0
    fi
  done
  return 1
}

pg_login_ok() {
  PGPASSWORD="$PG_PASSWORD" PGCONNECT_TIMEOUT=3 psql -X -w -h "$PG_HOST" -p "$PG_PORT" -U "$PG_ROLE" \
    -d civic_reports -Atc 'select 1' >/dev/null 2>&1
}

# Adds a password rule for the civiccredit role from 127.0.0.1 at the top of pg_hba.conf.
pg_allow_password_login() {
  local hba
  hba="$(pg_super -d postgres -Atc 'show hba_file')"
  [[ -n "$hba" ]] || return 1
  if ! as_root grep -q "^host[[:space:]]\+all[[:space:]]\+${PG_ROLE}[[:space:]]\+127.0.0.1/32" "$hba"; then
    say postgres "adding 'host all $PG_ROLE 127.0.0.1/32 scram-sha-256' to $hba"
    as_root sed -i "1i host all $PG_ROLE 127.0.0.1/32 scram-sha-256" "$hba"
  fi
  pg_super -d postgres -Atc 'select pg_reload_conf()' >/dev/null
}

pg_provision() {
  command -v psql >/dev/null 2>&1 || apt_install postgres postgresql-client ||
    die postgres "psql is needed to create role $PG_ROLE"
  pg_pick_super_mode ||
    die postgres "cannot connect as superuser postgres (tried runuser/sudo -u postgres and -h $PG_HOST -U postgres); create role $PG_ROLE and its databases by hand"

  pg_super -d postgres <<SQL
SET password_encryption = 'scram-sha-256';
DO \$\$
BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '$PG_ROLE') THEN
    CREATE ROLE $PG_ROLE LOGIN CREATEDB PASSWORD '$PG_PASSWORD';
  ELSE
    ALTER ROLE $PG_ROLE LOGIN CREATEDB PASSWORD '$PG_PASSWORD';
  END IF;
END
\$\$;
SQL

  local db existing created=()
  existing="$(pg_super -d postgres -Atc "select datname from pg_database")"
  for db in "${PG_DATABASES[@]}"; do
    if grep -qx "$db" <<<"$existing"; then
      pg_super -d postgres -c "ALTER DATABASE $db OWNER TO $PG_ROLE" >/dev/null
    else
      pg_super -d postgres -c "CREATE DATABASE $db OWNER $PG_ROLE" >/dev/null
      created+=("$db")
    fi
  done

  if ! pg_login_ok; then
    pg_allow_password_login || true
    pg_login_ok || die postgres "role $PG_ROLE cannot log in with its password from $PG_HOST; check pg_hba.conf"
  fi
  if ((${#created[@]} > 0)); then
    say postgres "role $PG_ROLE ready; created ${created[*]}"
  else
    say postgres "role $PG_ROLE and ${#PG_DATABASES[@]} databases ready"
  fi
}

# Drops and recreates the test suites' own databases (never the running system's) and empties the test
# Redis indexes 1 and 2, so every test run starts from migrations on empty databases.
fresh_test_state() {
  pg_pick_super_mode || die postgres "cannot connect as superuser postgres to reset the test databases"
  local db
  for db in "${PG_DATABASES[@]}"; do
    [[ $db == *_test || $db == *_systest ]] || continue
    pg_super -d postgres -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null
    pg_super -d postgres -c "CREATE DATABASE $db OWNER $PG_ROLE" >/dev/null
  done
  redis-cli -h 127.0.0.1 -p 6379 -n 1 FLUSHDB >/dev/null
  redis-cli -h 127.0.0.1 -p 6379 -n 2 FLUSHDB >/dev/null
  say postgres "test databases recreated empty; redis test indexes 1 and 2 emptied"
}

postgres_up() {
  if pg_ready; then
    say postgres "already running on $PG_HOST:$PG_PORT"
  elif pg_installed; then
    say postgres "installed but not running; starting"
    pg_start_local || die postgres "could not start the local cluster; see /var/log/postgresql/"
  else
    apt_install postgres postgresql || die postgres "PostgreSQL is not installed and apt-get could not install it"
    if pg_wait_ready; then
      say postgres "installed and running on $PG_HOST:$PG_PORT"
    else
      pg_start_local || die postgres "installed but could not start it; see /var/log/postgresql/"
    fi
  fi
  pg_provision
}

postgres_down() {
  if [[ ! -f "$PG_MARKER" ]]; then
    if pg_ready; then
      say postgres "running on $PG_HOST:$PG_PORT but not started by infra.sh; left running"
    else
      say postgres "not running"
    fi
    return 0
  fi
  local cluster version name
  cluster="$(<"$PG_MARKER")"
  if [[ "$cluster" == service ]]; then
    as_root service postgresql stop >/dev/null 2>&1 || true
  else
    read -r version name <<<"$cluster"
    as_root pg_ctlcluster --skip-systemctl-redirect "$version" "$name" stop >/dev/null 2>&1 ||
      as_root pg_ctlcluster "$version" "$name" stop >/dev/null 2>&1 ||
      as_root service postgresql stop >/dev/null 2>&1 || true
  fi
  rm -f "$PG_MARKER"
  if pg_ready; then
    warn postgres "still answering on $PG_HOST:$PG_PORT after stop"
  else
    say postgres "stopped"
  fi
}

postgres_status() {
  if ! pg_ready; then
    say postgres "down ($PG_HOST:$PG_PORT)"
    return 1
  fi
  local note=""
  [[ -f "$PG_MARKER" ]] && note=", started by infra.sh"
  if command -v psql >/dev/null 2>&1 && pg_login_ok; then
    say postgres "up on $PG_HOST:$PG_PORT (login $PG_ROLE ok$note)"
  else
    say postgres "up on $PG_HOST:$PG_PORT (login $PG_ROLE FAILS - run: scripts/infra.sh up$note)"
  fi
}

# ---------------------------------------------------------------------------------------------
# Redis
# ---------------------------------------------------------------------------------------------

redis_ping() {
  local reply
  # shellcheck disable=SC2016 # $1/$2 expand in the inner shell
  reply="$(timeout 2 bash -c 'exec 3<>"/dev/tcp/$1/$2"; printf "PING\r\n" >&3; head -c 5 <&3' _ \
    "$REDIS_HOST" "$REDIS_PORT" 2>/dev/null)" || return 1
  [[ "$reply" == "+PONG" ]]
}

redis_start() {
  mkdir -p "$RUN_DIR" "$LOG_DIR"
  redis-server --daemonize yes --bind "$REDIS_HOST" --port "$REDIS_PORT" --save "" --appendonly no \
    --pidfile "$REDIS_PIDFILE" --logfile "$LOG_DIR/redis.log" --dir "$RUN_DIR" >/dev/null ||
    die redis "redis-server failed to start; see $LOG_DIR/redis.log"
  local i
  for ((i = 0; i < 20; i++)); do
    if redis_ping; then
      say redis "started on $REDIS_HOST:$REDIS_PORT (pid $(cat "$REDIS_PIDFILE" 2>/dev/null || echo '?'))"
      return 0
    fi
    sleep 0.5
  done
  tail -n 5 "$LOG_DIR/redis.log" >&2 || true
  die redis "started but $REDIS_HOST:$REDIS_PORT does not answer PING"
}

redis_up() {
  if redis_ping; then
    say redis "already running on $REDIS_HOST:$REDIS_PORT"
    return 0
  fi
  if ! command -v redis-server >/dev/null 2>&1; then
    apt_install redis redis-server || die redis "Redis is not installed and apt-get could not install it"
    if redis_ping; then
      say redis "installed and running on $REDIS_HOST:$REDIS_PORT"
      return 0
    fi
  fi
  redis_start
}

redis_down() {
  local pid=""
  [[ -f "$REDIS_PIDFILE" ]] && pid="$(<"$REDIS_PIDFILE")"
  if ! pid_alive "$pid"; then
    rm -f "$REDIS_PIDFILE"
    if redis_ping; then
      say redis "running on $REDIS_HOST:$REDIS_PORT but not started by infra.sh; left running"
    else
      say redis "not running"
    fi
    return 0
  fi
  kill -TERM "$pid"
  local i
  for ((i = 0; i < 20; i++)); do
    pid_alive "$pid" || break
    sleep 0.5
  done
  rm -f "$REDIS_PIDFILE"
  say redis "stopped (pid $pid)"
}

redis_status() {
  if redis_ping; then
    local note=""
    [[ -f "$REDIS_PIDFILE" ]] && pid_alive "$(<"$REDIS_PIDFILE")" && note=" (started by infra.sh)"
    say redis "up on $REDIS_HOST:$REDIS_PORT$note"
  else
    say redis "down ($REDIS_HOST:$REDIS_PORT)"
    return 1
  fi
}

# ---------------------------------------------------------------------------------------------
# Keycloak
# ---------------------------------------------------------------------------------------------

kc_http_ok() {
  curl -fsS -o /dev/null -m 3 "$KC_REALM_URL/.well-known/openid-configuration" 2>/dev/null
}

kc_token_ok() {
  curl -fsS -m 5 "$KC_REALM_URL/protocol/openid-connect/token" \
    -d grant_type=client_credentials -d client_id=agency-greenway -d client_secret=greenway-demo-secret \
    2>/dev/null | grep -q '"access_token"'
}

# kc_token_ok_within TRIES : a token within TRIES tries two seconds apart (a busy Keycloak may miss one 5 s call).
kc_token_ok_within() {
  local try
  for ((try = 1; try <= $1; try++)); do
    kc_token_ok && return 0
    ((try < $1)) && sleep 2
  done
  return 1
}

# Prints the pid of the Keycloak this script started, if it is still running.
kc_pid() {
  [[ -f "$KC_PIDFILE" ]] || return 1
  local pid
  pid="$(<"$KC_PIDFILE")"
  pid_alive "$pid" || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF "$KC_HOME" || return 1
  printf '%s' "$pid"
}

realm_hash() {
  sha256sum "$KC_REALM_FILE" | cut -d' ' -f1
}

kc_realm_stale() {
  [[ -f "$KC_HASH_FILE" && "$(<"$KC_HASH_FILE")" != "$(realm_hash)" ]]
}

java_major() {
  "$1/bin/java" -version 2>&1 | awk -F'"' '/version/ { print $2; exit }' | cut -d. -f1
}

java_ok() {
  local major
  [[ -x "$1/bin/java" ]] || return 1
  major="$(java_major "$1")"
  [[ "$major" =~ ^[0-9]+$ ]] && ((major >= 21))
}

find_java() {
  local candidate
  for candidate in /usr/lib/jvm/*temurin-25* /usr/lib/jvm/* "${JAVA_HOME:-}"; do
    [[ -n "$candidate" && -d "$candidate" ]] || continue
    if java_ok "$candidate"; then
      printf '%s' "$candidate"
      return 0
    fi
  done
  return 1
}

# Sets KC_JAVA_HOME to a Java >= 21.
kc_pick_java() {
  if [[ -n "${KEYCLOAK_JAVA_HOME:-}" ]]; then
    java_ok "$KEYCLOAK_JAVA_HOME" ||
      die keycloak "KEYCLOAK_JAVA_HOME=$KEYCLOAK_JAVA_HOME is not a Java >= 21"
    KC_JAVA_HOME="$KEYCLOAK_JAVA_HOME"
    return 0
  fi
  if KC_JAVA_HOME="$(find_java)"; then
    return 0
  fi
  say keycloak "needs Java >= 21 and none is in /usr/lib/jvm; trying openjdk-21-jre-headless"
  if apt_install keycloak openjdk-21-jre-headless && KC_JAVA_HOME="$(find_java)"; then
    return 0
  fi
  die keycloak "Keycloak $KC_VERSION needs Java >= 21; install one and set KEYCLOAK_JAVA_HOME=/path/to/jdk"
}

# Installs the Keycloak distribution into $KC_HOME (Maven Central through the repo's Maven wrapper).
kc_install() {
  [[ -x "$KC_HOME/bin/kc.sh" ]] && return 0
  command -v unzip >/dev/null 2>&1 || apt_install keycloak unzip || die keycloak "unzip is needed"
  mkdir -p "$CIVIC_CREDIT_HOME" "$LOG_DIR"
  local work
  work="$(mktemp -d "$CIVIC_CREDIT_HOME/.keycloak-install.XXXXXX")"
  # shellcheck disable=SC2064 # expand $work now
  trap "rm -rf '$work'" EXIT
  maven_copy keycloak "org.keycloak:keycloak-quarkus-dist:$KC_VERSION:zip" "$work" "$LOG_DIR/keycloak-download.log" ||
    die keycloak "could not download Keycloak"
  unzip -q "$work/keycloak-quarkus-dist-$KC_VERSION.zip" -d "$work/unpacked" ||
    die keycloak "could not unpack the Keycloak distribution"
  [[ -x "$work/unpacked/keycloak-$KC_VERSION/bin/kc.sh" ]] ||
    die keycloak "unexpected layout in the Keycloak distribution"
  mv -T "$work/unpacked/keycloak-$KC_VERSION" "$KC_HOME" || die keycloak "could not move Keycloak into $KC_HOME"
  rm -rf "$work"
  trap - EXIT
  say keycloak "installed in $KC_HOME"
}

# Copies the realm into data/import; wipes persisted state when the realm file changed since the
# last import (--import-realm skips a realm that already exists).
kc_prepare_realm() {
  [[ -f "$KC_REALM_FILE" ]] || die keycloak "realm file $KC_REALM_FILE not found"
  local new old=""
  new="$(realm_hash)"
  [[ -f "$KC_HASH_FILE" ]] && old="$(<"$KC_HASH_FILE")"
  if [[ "$new" != "$old" ]]; then
    if [[ -n "$old" && -z "${KC_RESTART_ANNOUNCED:-}" ]]; then
      say keycloak "realm file changed since the last import; starting with a fresh data folder"
    fi
    rm -rf "$KC_HOME/data"
  fi
  mkdir -p "$KC_HOME/data/import"
  cp "$KC_REALM_FILE" "$KC_HOME/data/import/civic-credit-realm.json"
}

kc_stop() {
  local pid=$1 pgid i
  pgid="$(ps -o pgid= -p "$pid" | tr -d ' ')"
  if [[ "$pgid" == "$pid" ]]; then
    kill -TERM -- "-$pgid" 2>/dev/null || true
  else
    kill -TERM "$pid" 2>/dev/null || true
  fi
  for ((i = 0; i < 60; i++)); do
    pid_alive "$pid" || break
    sleep 0.5
  done
  if pid_alive "$pid"; then
    warn keycloak "pid $pid did not stop within 30 s; killing it"
    if [[ "$pgid" == "$pid" ]]; then
      kill -KILL -- "-$pgid" 2>/dev/null || true
    else
      kill -KILL "$pid" 2>/dev/null || true
    fi
  fi
  rm -f "$KC_PIDFILE"
}

kc_start() {
  kc_pick_java
  kc_install
  kc_prepare_realm
  mkdir -p "$RUN_DIR" "$LOG_DIR"
  if tcp_open 127.0.0.1 "$KC_HTTP_PORT"; then
    die keycloak "port $KC_HTTP_PORT is taken by something that does not serve realm $KC_REALM; stop it first"
  fi
  if tcp_open 127.0.0.1 "$KC_MANAGEMENT_PORT"; then
    die keycloak "management port $KC_MANAGEMENT_PORT is already in use; stop what holds it first"
  fi
  local log_offset=0
  [[ -f "$KC_LOG" ]] && log_offset="$(stat -c %s "$KC_LOG")"
  printf '\n==== %s infra.sh starting Keycloak %s\n' "$(date -Is)" "$KC_VERSION" >>"$KC_LOG"
  say keycloak "starting on $KC_URL (Java $(java_major "$KC_JAVA_HOME") from $KC_JAVA_HOME; log: $KC_LOG)"
  local started=$SECONDS
  (
    cd "$KC_HOME"
    export JAVA_HOME="$KC_JAVA_HOME"
    export JAVA_OPTS_KC_HEAP="${JAVA_OPTS_KC_HEAP:--Xms128m -Xmx512m}"
    export KC_BOOTSTRAP_ADMIN_USERNAME=admin KC_BOOTSTRAP_ADMIN_PASSWORD=admin
    # A background job of a non-interactive shell is no group leader, so setsid runs in place and
    # the pid written below leads a new session holding kc.sh and its java child.
    setsid nohup "$KC_HOME/bin/kc.sh" start-dev \
      --http-host=127.0.0.1 --http-port="$KC_HTTP_PORT" \
      --health-enabled=true --http-management-port="$KC_MANAGEMENT_PORT" \
      --import-realm --log-console-color=false \
      >>"$KC_LOG" 2>&1 </dev/null &
    printf '%s\n' "$!" >"$KC_PIDFILE"
  )
  kc_wait_ready "$started" "$log_offset"
}

# kc_wait_ready STARTED_AT LOG_OFFSET : waits until the realm serves tokens.
kc_wait_ready() {
  local started=$1 log_offset=$2 pid
  pid="$(<"$KC_PIDFILE")"
  while ((SECONDS - started < KC_START_TIMEOUT)); do
    if ! pid_alive "$pid"; then
      warn keycloak "exited during startup; last lines of $KC_LOG:"
      tail -n 30 "$KC_LOG" >&2
      rm -f "$KC_PIDFILE"
      exit 1
    fi
    if kc_http_ok && kc_token_ok; then
      realm_hash >"$KC_HASH_FILE"
      local how="existing data reused"
      tail -c +"$((log_offset + 1))" "$KC_LOG" | grep -q "Realm '$KC_REALM' imported" && how="realm imported"
      say keycloak "ready in $((SECONDS - started)) s on $KC_URL (pid $pid, $how)"
      return 0
    fi
    sleep 1
  done
  warn keycloak "not ready after $KC_START_TIMEOUT s (still running as pid $pid: rerun up to keep waiting, or down); last lines of $KC_LOG:"
  tail -n 30 "$KC_LOG" >&2
  exit 1
}

keycloak_up() {
  local pid=""
  pid="$(kc_pid)" || pid=""
  if kc_http_ok; then
    if kc_realm_stale; then
      [[ -n "$pid" ]] ||
        die keycloak "realm file changed since the last import, but the Keycloak on $KC_URL was not started by infra.sh; stop it and rerun"
      say keycloak "realm file changed since the running Keycloak imported it; restarting with a fresh data folder"
      KC_RESTART_ANNOUNCED=1
      kc_stop "$pid"
    elif kc_token_ok_within 5; then
      say keycloak "already running on $KC_URL${pid:+ (pid $pid)}"
      return 0
    else
      die keycloak "$KC_URL serves realm $KC_REALM but agency-greenway cannot get a token; is it another Keycloak?"
    fi
  elif [[ -n "$pid" ]]; then
    say keycloak "pid $pid is still starting; waiting"
    kc_wait_ready "$SECONDS" "$(stat -c %s "$KC_LOG" 2>/dev/null || echo 0)"
    return 0
  fi
  kc_start
}

keycloak_down() {
  local pid
  if pid="$(kc_pid)"; then
    kc_stop "$pid"
    say keycloak "stopped (pid $pid)"
  else
    rm -f "$KC_PIDFILE"
    if kc_http_ok; then
      say keycloak "running on $KC_URL but not started by infra.sh; left running"
    else
      say keycloak "not running"
    fi
  fi
}

keycloak_status() {
  local pid="" note=""
  pid="$(kc_pid)" || pid=""
  if kc_http_ok; then
    [[ -n "$pid" ]] && note=", pid $pid"
    kc_realm_stale && note+=", realm file changed since import - run: scripts/infra.sh up"
    say keycloak "up on $KC_URL (realm $KC_REALM$note)"
  elif [[ -n "$pid" ]]; then
    say keycloak "starting (pid $pid), not answering on $KC_URL yet"
    return 1
  else
    say keycloak "down ($KC_URL)"
    return 1
  fi
}

# ---------------------------------------------------------------------------------------------

usage() {
  sed -n '2,15p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
}

main() {
  command -v curl >/dev/null 2>&1 || apt_install infra curl || die infra "curl is needed"
  case "${1:-}" in
    up)
      postgres_up
      redis_up
      keycloak_up
      ;;
    fresh-test-state)
      fresh_test_state
      ;;
    down)
      keycloak_down
      redis_down
      postgres_down
      ;;
    status)
      local rc=0
      postgres_status || rc=3
      redis_status || rc=3
      keycloak_status || rc=3
      return "$rc"
      ;;
    -h | --help | help)
      usage
      ;;
    *)
      usage >&2
      return 2
      ;;
  esac
}

main "$@"
