#!/usr/bin/env bash
# Makes Postgres and Redis reachable at DATABASE_URL / REDIS_URL, trying in order:
#   1. they already answer: do nothing;
#   2. a Docker engine runs: docker compose up the two services;
#   3. the servers are installed: start them locally (project-local data folder .services/);
#   4. root on Debian/Ubuntu: apt-get install postgresql redis-server, then 3;
#   5. otherwise: say exactly what to install, and fail.
# Then creates the database named in DATABASE_URL when it is missing.
# With --browser (what `npm test` passes), also Chromium for the browser tests: nothing
# else uses it, so `npm run demo` and `npm run bench` never install it.
set -euo pipefail
cd "$(dirname "$0")/.."

BROWSER=""
for arg in "$@"; do
  case "$arg" in
    --browser) BROWSER=1 ;;
    *) echo "services: unknown option $arg (the only one is --browser: also install Chromium for the browser tests)" >&2; exit 2 ;;
  esac
done

DATABASE_URL="${DATABASE_URL:-postgresql://postgres@127.0.0.1:5432/mpsync}"
REDIS_URL="${REDIS_URL:-redis://127.0.0.1:6379}"
DATA_DIR="${MPSYNC_SERVICES_DIR:-$PWD/.services}"

# host and port from the URLs, without needing any client library
url_hostport() { # URL DEFAULT_PORT
  local rest="${1#*://}"; rest="${rest#*@}"; rest="${rest%%/*}"; rest="${rest%%\?*}"
  local host="${rest%%:*}" port="$2"
  [[ "$rest" == *:* ]] && port="${rest##*:}"
  echo "${host:-127.0.0.1} ${port}"
}
read -r PG_HOST PG_PORT <<<"$(url_hostport "$DATABASE_URL" 5432)"
read -r REDIS_HOST REDIS_PORT <<<"$(url_hostport "$REDIS_URL" 6379)"

tcp_open() { (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null; }
pg_up() { tcp_open "$PG_HOST" "$PG_PORT"; }
redis_up() { tcp_open "$REDIS_HOST" "$REDIS_PORT"; }
wait_for() { # NAME CHECK
  for _ in $(seq 1 60); do "$2" && return 0; sleep 0.5; done
  echo "services: $1 did not come up within 30 s" >&2; return 1
}
is_local() { [[ "$1" == 127.* || "$1" == localhost || "$1" == "::1" ]]; }
log() { echo "services: $*"; }

have_local_servers() {
  { command -v pg_ctlcluster >/dev/null && ls /etc/postgresql >/dev/null 2>&1; } || ls /usr/lib/postgresql/*/bin/pg_ctl >/dev/null 2>&1 || return 1
  command -v redis-server >/dev/null
}

start_local_postgres() {
  # The distribution's cluster first (it is what a Debian install sets up), then a
  # project-local cluster in .services/ as a fallback for non-root users.
  if command -v pg_lsclusters >/dev/null && [ "$(id -u)" = 0 ]; then
    local ver name
    read -r ver name < <(pg_lsclusters -h 2>/dev/null | awk -v p="$PG_PORT" '$3 == p { print $1, $2; exit }')  || true
    if [ -n "${ver:-}" ]; then
      local hba="/etc/postgresql/$ver/$name/pg_hba.conf"
      if [ -n "${INSTALLED_BY_US:-}" ] && [ -f "$hba" ]; then
        # a fresh Debian cluster wants passwords on TCP; the default DATABASE_URL has none
        sed -i -E 's/^(host\s+all\s+all\s+(127\.0\.0\.1\/32|::1\/128)\s+)\S+/\1trust/' "$hba"
      fi
      pg_ctlcluster --skip-systemctl-redirect "$ver" "$name" start || true
      wait_for postgres pg_up && return 0
    fi
  fi
  local bin; bin="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)"
  [ -n "$bin" ] || { echo "services: no PostgreSQL binaries found" >&2; return 1; }
  mkdir -p "$DATA_DIR"
  local run_as=()
  if [ "$(id -u)" = 0 ]; then
    id postgres >/dev/null 2>&1 || useradd --system postgres
    chown -R postgres "$DATA_DIR"; run_as=(runuser -u postgres --)
  fi
  if [ ! -f "$DATA_DIR/pg/PG_VERSION" ]; then
    "${run_as[@]}" "$bin/initdb" -D "$DATA_DIR/pg" -U postgres --auth=trust >/dev/null
  fi
  "${run_as[@]}" "$bin/pg_ctl" -D "$DATA_DIR/pg" -l "$DATA_DIR/pg.log" -o "-p $PG_PORT -k $DATA_DIR -c listen_addresses=127.0.0.1" start >/dev/null
  wait_for postgres pg_up
}

start_local_redis() {
  mkdir -p "$DATA_DIR/redis"
  # AOF on and noeviction: BullMQ requires that Redis never evicts its keys.
  redis-server --daemonize yes --bind 127.0.0.1 --port "$REDIS_PORT" --dir "$DATA_DIR/redis" \
    --appendonly yes --save "" --maxmemory-policy noeviction --logfile "$DATA_DIR/redis.log"
  wait_for redis redis_up
}

if pg_up && redis_up; then
  :
elif docker info >/dev/null 2>&1; then
  log "starting postgres and redis with docker compose"
  docker compose up -d --wait postgres redis
else
  if ! have_local_servers; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
      log "installing postgresql and redis-server with apt-get"
      export DEBIAN_FRONTEND=noninteractive
      apt-get update -qq >/dev/null
      apt-get install -y -qq postgresql redis-server >/dev/null
      INSTALLED_BY_US=1
    else
      echo "services: Postgres ($PG_HOST:$PG_PORT) and Redis ($REDIS_HOST:$REDIS_PORT) are not running, no Docker engine runs, and they are not installed." >&2
      echo "services: install PostgreSQL 15+ and Redis 7+ (Debian/Ubuntu: sudo apt-get install postgresql redis-server), or start Docker, or point DATABASE_URL / REDIS_URL at running servers." >&2
      exit 1
    fi
  fi
  if ! pg_up; then
    is_local "$PG_HOST" || { echo "services: DATABASE_URL points at $PG_HOST:$PG_PORT, which does not answer; start that server" >&2; exit 1; }
    log "starting local postgres"; start_local_postgres
  fi
  if ! redis_up; then
    is_local "$REDIS_HOST" || { echo "services: REDIS_URL points at $REDIS_HOST:$REDIS_PORT, which does not answer; start that server" >&2; exit 1; }
    log "starting local redis"; start_local_redis
  fi
fi

# the database itself (node is there: npm runs this script)
DATABASE_URL="$DATABASE_URL" node --input-type=module -e '
  import pg from "pg";
  const url = new URL(process.env.DATABASE_URL);
  const name = decodeURIComponent(url.pathname.slice(1));
  url.pathname = "/postgres";
  const c = new pg.Client({ connectionString: url.toString(), connectionTimeoutMillis: 10000 });
  try {
    await c.connect();
    const r = await c.query("select 1 from pg_database where datname = $1", [name]);
    if (!r.rowCount) { await c.query(`CREATE DATABASE "${name.replace(/"/g, "\"\"")}"`); console.log(`services: created database ${name}`); }
  } catch (e) { console.error(`services: DATABASE_URL: ${e.code ?? ""} ${e.message}`); process.exit(1); }
  finally { await c.end().catch(() => {}); }
'
log "postgres at $PG_HOST:$PG_PORT and redis at $REDIS_HOST:$REDIS_PORT are ready"

# Chromium for the console's browser tests (test/console/), with a CJK font for WeChat
# articles; only with --browser. Never fatal: without it those tests are reported as
# skipped, with the reason.
[ -n "$BROWSER" ] || exit 0
CHROMIUM="${MPSYNC_CHROMIUM:-/usr/bin/chromium}"
if [ ! -x "$CHROMIUM" ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    log "installing chromium (browser tests) with apt-get"
    export DEBIAN_FRONTEND=noninteractive
    { apt-get update -qq >/dev/null && apt-get install -y -qq chromium fonts-wqy-microhei >/dev/null; } \
      || log "could not install chromium: the browser tests will be skipped"
  else
    log "no $CHROMIUM: the browser tests will be skipped (Debian/Ubuntu: sudo apt-get install chromium fonts-wqy-microhei)"
  fi
fi
