# shellcheck shell=bash
# The local stack's private PostgreSQL cluster (SPIKE_NEXUS_BACKEND_STORE=postgres
# without SPIKE_NEXUS_DATABASE_URL), sourced by hack/lib.sh:
#   $SPIKE_PG_DIR                  (root's or the user's, 0700)
#     nexus-password               the password of role `spike` (0600), for SPIKE_NEXUS_DATABASE_PASSWORD_FILE
#     cluster/                     owned by the cluster's OS user, 0700
#       data/                      the data directory (initdb)
#       .s.PGSQL.5432              the server's unix socket (no TCP: listen_addresses = '')
#       postgres.log               the server's log
#       initialized                written once the role and database exist
# Database `spike`, owned by role `spike` (password, scram-sha-256); the
# superuser (the cluster's OS user) only through peer authentication.
#
# PostgreSQL refuses to run as root: run as root, the cluster runs as the
# `postgres` OS user (Debian's package creates it) through setpriv. That user
# cannot traverse root's private directories ($SPIKE_DEV_DIR is 0700, and so is
# /root), so its commands run in a private mount namespace (unshare -m) where
# the cluster directory is bound at /mnt (or /media, /srv): nothing is opened up
# on the host, and root (Nexus, Bootstrap) reaches the socket by its real path.

SPIKE_PG_DIR="$SPIKE_DEV_DIR/postgres"
SPIKE_PG_CLUSTER="$SPIKE_PG_DIR/cluster"
SPIKE_PG_PASSWORD_FILE="$SPIKE_PG_DIR/nexus-password"
SPIKE_PG_PORT=5432

# The cluster's directory as the cluster's commands see it: as root, a
# directory of the host's that others may enter, covered in the namespace only.
spike_pg_view() {
  if [ "$(id -u)" -ne 0 ]; then echo "$SPIKE_PG_CLUSTER"; return; fi
  local d
  for d in /mnt /media /srv; do
    if [ -d "$d" ] && [ "$(($(stat -c '%a' "$d") & 1))" -eq 1 ]; then echo "$d"; return; fi
  done
  echo /mnt
}

# The URL Nexus and Bootstrap use (no password in it).
spike_pg_url() { echo "postgresql://spike@/spike?host=$SPIKE_PG_CLUSTER"; }

# The directory holding initdb, pg_ctl, postgres and psql: PATH first, then the
# newest of Debian's /usr/lib/postgresql/<version>/bin (SPIKE_PG_SEARCH_ROOT
# replaces /usr/lib/postgresql, for tests).
spike_pg_bin() {
  local dir v best=''
  dir=$(dirname "$(command -v initdb 2>/dev/null || echo /nonexistent/initdb)")
  if [ -x "$dir/initdb" ] && [ -x "$dir/pg_ctl" ] && [ -x "$dir/postgres" ]; then echo "$dir"; return 0; fi
  for v in "${SPIKE_PG_SEARCH_ROOT:-/usr/lib/postgresql}"/*/bin; do
    if [ ! -x "$v/initdb" ] || [ ! -x "$v/pg_ctl" ] || [ ! -x "$v/postgres" ]; then continue; fi
    if [ -z "$best" ] || [ "$(basename "$(dirname "$v")" | cut -d. -f1)" -gt "$(basename "$(dirname "$best")" | cut -d. -f1)" ]; then best=$v; fi
  done
  [ -n "$best" ] || return 1
  echo "$best"
}

spike_pg_require_bin() {
  SPIKE_PG_BIN=$(spike_pg_bin) || die "PostgreSQL is not installed (no initdb and pg_ctl on PATH nor in /usr/lib/postgresql/*/bin): install it with apt-get install postgresql, or point SPIKE_NEXUS_DATABASE_URL at a server of yours"
  [ -x "$SPIKE_PG_BIN/psql" ] || command -v psql >/dev/null 2>&1 || die "PostgreSQL's psql is missing: install it with apt-get install postgresql"
  if [ "$(id -u)" -eq 0 ] && ! unshare -m --propagation private -- mount --bind "$SPIKE_ROOT/hack" "$(spike_pg_view)" >/dev/null 2>&1; then
    die "run as root, PostgreSQL runs as the postgres user in a private mount namespace, which this machine refuses (unshare -m, mount --bind; an unprivileged container?): run hack/ as another user, or set SPIKE_NEXUS_DATABASE_URL to a server of yours"
  fi
}

# spike_pg_as CMD ARG...: run a command as the cluster's OS user, seeing the
# cluster directory at $(spike_pg_view). As root: in a private mount namespace,
# as `postgres`; otherwise as ourselves.
spike_pg_as() {
  if [ "$(id -u)" -ne 0 ]; then
    env LC_ALL=C "$@"
    return
  fi
  local uid gid
  if ! uid=$(id -u postgres 2>/dev/null) || ! gid=$(id -g postgres 2>/dev/null); then
    die "running as root, but there is no 'postgres' OS user to run PostgreSQL as (apt-get install postgresql creates it)"
  fi
  # shellcheck disable=SC2016 # expanded by that sh
  unshare -m --propagation private -- sh -c '
    uid=$0 gid=$1
    mount --bind "$2" "$3" || exit 125
    shift 3
    exec setpriv --reuid="$uid" --regid="$gid" --init-groups -- env LC_ALL=C HOME=/ "$@"
  ' "$uid" "$gid" "$SPIKE_PG_CLUSTER" "$(spike_pg_view)" "$@"
}

# The postmaster's pid when the local cluster runs, else nothing (exit 1).
spike_pg_pid() {
  local pid
  pid=$(head -n 1 "$SPIKE_PG_CLUSTER/data/postmaster.pid" 2>/dev/null) || return 1
  [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null && grep -q postgres "/proc/$pid/cmdline" 2>/dev/null || return 1
  echo "$pid"
}

spike_pg_is_running() { spike_pg_pid >/dev/null; }

# spike_pg_psql: SQL from standard input, as the superuser, to database postgres.
spike_pg_psql() {
  local psql
  psql="$SPIKE_PG_BIN/psql"
  [ -x "$psql" ] || psql=$(command -v psql)
  spike_pg_as "$psql" -X -q -v ON_ERROR_STOP=1 -h "$(spike_pg_view)" -p "$SPIKE_PG_PORT" -d postgres
}

# Creates the cluster, its role and database, and the password file, once.
spike_pg_init() {
  if [ -f "$SPIKE_PG_CLUSTER/initialized" ]; then
    [ -f "$SPIKE_PG_PASSWORD_FILE" ] && return 0
    die "$SPIKE_PG_PASSWORD_FILE is missing: Nexus cannot log in to the local cluster (its store is kept; set a new password with ALTER ROLE spike PASSWORD as the postgres OS user and write it there, mode 0600, or hack/reset.sh)"
  fi
  # A cluster whose set-up did not finish holds nothing of value (Nexus never used it): start over.
  if [ -d "$SPIKE_PG_CLUSTER" ]; then
    spike_pg_stop fast >/dev/null 2>&1 || true
    rm -rf -- "$SPIKE_PG_CLUSTER"
  fi
  local sock="$SPIKE_PG_CLUSTER/.s.PGSQL.$SPIKE_PG_PORT"
  [ "${#sock}" -le 100 ] || die "the PostgreSQL socket path would be too long (${#sock} bytes, at most 100): $sock; use a shorter SPIKE_DEV_DIR"
  mkdir -p "$SPIKE_PG_DIR"
  chmod 700 "$SPIKE_PG_DIR"
  mkdir -m 700 "$SPIKE_PG_CLUSTER"
  if [ "$(id -u)" -eq 0 ]; then chown postgres: "$SPIKE_PG_CLUSTER" || die "cannot give $SPIKE_PG_CLUSTER to the postgres OS user"; fi
  local view out
  view=$(spike_pg_view)
  out=$(spike_pg_as "$SPIKE_PG_BIN/initdb" -D "$view/data" -E UTF8 --locale=C --auth-local=peer --auth-host=reject --no-instructions 2>&1) \
    || die "initdb failed: $(tail -n 3 <<<"$out" | tr '\n' ' ')"
  # First match wins: Nexus's role with its password, the superuser by peer, nothing else.
  # (Root writes into the cluster's files by their real paths; they keep their owner.)
  printf '%s\n' 'local spike spike scram-sha-256' 'local all all peer' >"$SPIKE_PG_CLUSTER/data/pg_hba.conf"
  printf '%s\n' "listen_addresses = ''" "port = $SPIKE_PG_PORT" "unix_socket_directories = '$view'" \
    'unix_socket_permissions = 0700' "password_encryption = 'scram-sha-256'" >>"$SPIKE_PG_CLUSTER/data/postgresql.conf"
  spike_pg_start
  local password
  password=$(od -An -tx1 -N24 /dev/urandom | tr -d ' \n')
  [ "${#password}" -eq 48 ] || die "could not make a database password"
  # The password goes to psql on standard input, never in argv.
  # (No failing statement is logged with it: log_min_error_statement = panic for this session.)
  printf "SET log_min_error_statement = panic;\nCREATE ROLE spike LOGIN PASSWORD '%s';\nCREATE DATABASE spike OWNER spike TEMPLATE template0 ENCODING 'UTF8';\n" "$password" \
    | spike_pg_psql >/dev/null || die "could not create the database and role for Nexus; see $SPIKE_PG_CLUSTER/postgres.log"
  (umask 077 && printf '%s\n' "$password" >"$SPIKE_PG_PASSWORD_FILE.tmp") && mv "$SPIKE_PG_PASSWORD_FILE.tmp" "$SPIKE_PG_PASSWORD_FILE"
  chmod 600 "$SPIKE_PG_PASSWORD_FILE"
  spike_pg_as touch "$view/initialized"
}

# Starts the cluster unless it runs; waits until it accepts connections.
spike_pg_start() {
  spike_pg_is_running && return 0
  local view out
  view=$(spike_pg_view)
  out=$(spike_pg_as "$SPIKE_PG_BIN/pg_ctl" -D "$view/data" -l "$view/postgres.log" -w -t "${SPIKE_START_TIMEOUT:-60}" start 2>&1) \
    || die "PostgreSQL did not start: $(tail -n 2 <<<"$out" | tr '\n' ' '); see $SPIKE_PG_CLUSTER/postgres.log"
}

# spike_pg_stop [fast|immediate]: pg_ctl stop as the cluster's user; waits until it exited.
spike_pg_stop() {
  local mode=${1:-fast} pid
  pid=$(spike_pg_pid) || return 0
  spike_pg_as "$SPIKE_PG_BIN/pg_ctl" -D "$(spike_pg_view)/data" -m "$mode" -w -t 60 stop >/dev/null 2>&1 || true
  # pg_ctl waited for the pid file to go; make sure of the process itself.
  local i
  for ((i = 0; i < 300; i++)); do
    kill -0 "$pid" 2>/dev/null || return 0
    sleep 0.1
  done
  kill -KILL "$pid" 2>/dev/null || true
}
