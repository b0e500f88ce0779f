#!/usr/bin/env bash
# Shared by scripts/up.sh and scripts/test.sh: dependencies, .env, PostgreSQL+PostGIS and Redis.
# Every step is safe to run again.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"

say() { printf '\033[1;34m[beacon]\033[0m %s\n' "$*" >&2; }
die() { printf '\033[1;31m[beacon]\033[0m %s\n' "$*" >&2; exit 1; }

ensure_dependencies() {
  local stamp="node_modules/.beacon-lock-hash" want
  want="$(cat package.json package-lock.json | sha1sum | cut -c1-40)"
  if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then return; fi
  say "installing npm dependencies"
  # `npm install` honours package-lock.json; `npm ci` (npm 11) wrongly rejects a lock that lists
  # only this platform's optional native binaries.
  npm install --no-audit --no-fund --loglevel=error
  echo "$want" >"$stamp"
}

free_port() {
  local port=$1
  while (echo >"/dev/tcp/127.0.0.1/$port") 2>/dev/null; do port=$((port + 1)); done
  echo "$port"
}

# .env from .env.example: every __GENERATE__ becomes its own random secret, and the local
# PostgreSQL/Redis ports move up when another checkout already listens on the default ones.
ensure_env_file() {
  [ -f .env ] && return
  say "creating .env from .env.example with generated secrets"
  local pg_port redis_port
  pg_port="$(free_port 54329)"
  redis_port="$(free_port 63799)"
  local line out=""
  while IFS= read -r line || [ -n "$line" ]; do
    while [[ "$line" != \#* && "$line" == *__GENERATE__* ]]; do
      line="${line/__GENERATE__/$(node -e 'process.stdout.write(require("crypto").randomBytes(24).toString("hex"))')}"
    done
    line="${line//:54329\//:$pg_port/}"
    line="${line//:63799/:$redis_port}"
    out+="$line"$'\n'
  done <.env.example
  (umask 077 && printf '%s' "$out" >.env)
}

load_env() {
  # Variables already in the environment win over .env.
  local line key
  while IFS= read -r line || [ -n "$line" ]; do
    [[ "$line" =~ ^[A-Za-z_][A-Za-z0-9_]*= ]] || continue
    key="${line%%=*}"
    if [ -z "${!key+x}" ]; then export "$key=${line#*=}"; fi
  done <.env
}

url_part() { node -e 'const u=new URL(process.argv[1]);const k=process.argv[2];process.stdout.write(k==="pathname"?decodeURIComponent(u.pathname.slice(1)):decodeURIComponent(u[k]||""))' "$1" "$2"; }

is_local_host() { case "$1" in 127.0.0.1|localhost|::1|"[::1]") return 0;; *) return 1;; esac; }

pg_bin() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1; }

tcp_open() { (echo >"/dev/tcp/$1/$2") 2>/dev/null; }

apt_install() {
  command -v apt-get >/dev/null || return 1
  [ "$(id -u)" = 0 ] || return 1
  say "installing $* with apt"
  if ! apt-get install -y -qq "$@" >/dev/null 2>&1; then
    apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
  fi
}

# Where this checkout keeps its own local PostgreSQL and Redis. As root the PostgreSQL data must
# belong to the postgres user, whose reach a private checkout folder may not include.
data_dir() {
  if [ "$(id -u)" = 0 ]; then
    echo "/var/lib/beacon-dev/$(printf '%s' "$ROOT" | sha1sum | cut -c1-12)"
  else
    echo "$ROOT/.data"
  fi
}

as_pg_user() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

docker_engine() { command -v docker >/dev/null && docker info >/dev/null 2>&1; }

compose_services() {
  BEACON_APP_PASSWORD="$(url_part "$DATABASE_URL" password)" \
  BEACON_OWNER_PASSWORD="$(url_part "$DATABASE_OWNER_URL" password)" \
    docker compose up -d --wait "$@"
}

ensure_postgres() {
  local host port
  host="$(url_part "$DATABASE_URL" hostname)"
  port="$(url_part "$DATABASE_URL" port)"; port="${port:-5432}"
  if tcp_open "$host" "$port"; then
    if is_local_host "$host" && [ -f "$(data_dir)/pg/PG_VERSION" ]; then bootstrap_database; fi
    return
  fi
  is_local_host "$host" || die "PostgreSQL at $host:$port (DATABASE_URL) is not reachable."
  if [ -z "$(pg_bin)" ] || [ ! -f /usr/share/postgresql/15/extension/postgis.control ] && ! ls /usr/share/postgresql/*/extension/postgis.control >/dev/null 2>&1; then
    if ! apt_install postgresql-15-postgis-3 postgresql-contrib; then
      if docker_engine; then
        say "starting PostgreSQL+PostGIS and Redis with docker compose"
        compose_services postgres redis
        return
      fi
      die "PostgreSQL 15+ with PostGIS 3 is needed: install postgresql-15-postgis-3 (Debian/Ubuntu, as root), run a Docker engine (docker compose up -d postgres redis), or point DATABASE_URL and DATABASE_OWNER_URL at your own server."
    fi
  fi
  local bin dir
  bin="$(pg_bin)"; dir="$(data_dir)"
  mkdir -p -m 755 "$(dirname "$dir")" "$dir"
  mkdir -p "$dir/pg" "$dir/run"
  if [ "$(id -u)" = 0 ]; then chmod 755 "$(dirname "$dir")"; chown postgres:postgres "$dir" "$dir/pg" "$dir/run"; chmod 700 "$dir/pg"; fi
  if [ ! -f "$dir/pg/PG_VERSION" ]; then
    say "initialising a PostgreSQL cluster for this checkout in $dir/pg"
    as_pg_user "$bin/initdb" -D "$dir/pg" -U postgres --auth-local=peer --auth-host=scram-sha-256 -E UTF8 --locale=C.UTF-8 >/dev/null
    cat >>"$dir/pg/postgresql.conf" <<CONF
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = '$dir/run'
max_connections = 300
shared_buffers = 256MB
fsync = off
synchronous_commit = off
full_page_writes = off
CONF
  fi
  say "starting PostgreSQL on 127.0.0.1:$port"
  as_pg_user "$bin/pg_ctl" -D "$dir/pg" -l "$dir/postgres.log" -w -t 60 start >/dev/null
  bootstrap_database
}

# Creates the two roles and the database with the superuser over this cluster's own socket:
# the owner runs migrations and may create (test) databases; the application role is no
# superuser and has no BYPASSRLS, so row-level security always applies to it.
bootstrap_database() {
  local dir bin port owner owner_pw app app_pw db
  dir="$(data_dir)"; bin="$(pg_bin)"
  port="$(url_part "$DATABASE_URL" port)"
  owner="$(url_part "$DATABASE_OWNER_URL" username)"; owner_pw="$(url_part "$DATABASE_OWNER_URL" password)"
  app="$(url_part "$DATABASE_URL" username)"; app_pw="$(url_part "$DATABASE_URL" password)"
  db="$(url_part "$DATABASE_URL" pathname)"
  local psql=("$bin/psql" -h "$dir/run" -p "$port" -U postgres -v ON_ERROR_STOP=1 -qAt)
  as_pg_user "${psql[@]}" -d postgres >/dev/null <<SQL
SET client_min_messages = warning;
SELECT format('CREATE ROLE %I LOGIN', '$owner') WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '$owner') \gexec
SELECT format('CREATE ROLE %I LOGIN', '$app') WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '$app') \gexec
ALTER ROLE "$owner" LOGIN CREATEDB NOSUPERUSER NOBYPASSRLS PASSWORD '$owner_pw';
-- Lets the owner drop its own test databases WITH (FORCE) while an app connection lingers.
GRANT pg_signal_backend TO "$owner";
ALTER ROLE "$app" LOGIN NOCREATEDB NOCREATEROLE NOSUPERUSER NOBYPASSRLS PASSWORD '$app_pw';
SELECT format('CREATE DATABASE %I OWNER %I', '$db', '$owner') WHERE NOT EXISTS (SELECT 1 FROM pg_database WHERE datname = '$db') \gexec
SQL
  # PostGIS needs a superuser to install; putting it in template1 gives it to every database the
  # owner creates (the test databases too). The first migration still declares it.
  for target in template1 "$db"; do
    as_pg_user "${psql[@]}" -d "$target" -c 'CREATE EXTENSION IF NOT EXISTS postgis; CREATE EXTENSION IF NOT EXISTS citext;' >/dev/null 2>&1 \
      || as_pg_user "${psql[@]}" -d "$target" -c 'CREATE EXTENSION IF NOT EXISTS postgis; CREATE EXTENSION IF NOT EXISTS citext;'
  done
}

ensure_redis() {
  local host port
  host="$(url_part "$REDIS_URL" hostname)"
  port="$(url_part "$REDIS_URL" port)"; port="${port:-6379}"
  tcp_open "$host" "$port" && return
  is_local_host "$host" || die "Redis at $host:$port (REDIS_URL) is not reachable."
  if ! command -v redis-server >/dev/null; then
    if ! apt_install redis-server; then
      if docker_engine; then compose_services redis; return; fi
      die "Redis 7 is needed: install redis-server (Debian/Ubuntu, as root), run a Docker engine (docker compose up -d redis), or point REDIS_URL at your own server."
    fi
  fi
  local dir; dir="$(data_dir)/redis"; mkdir -p "$dir"
  say "starting Redis on 127.0.0.1:$port"
  redis-server --bind 127.0.0.1 --port "$port" --dir "$dir" --daemonize yes \
    --pidfile "$dir/redis.pid" --logfile "$dir/redis.log" --save '' --appendonly no >/dev/null
  for _ in $(seq 1 50); do tcp_open 127.0.0.1 "$port" && return; sleep 0.1; done
  die "Redis did not start; see $dir/redis.log"
}

ensure_services() {
  ensure_env_file
  load_env
  ensure_postgres
  ensure_redis
}
