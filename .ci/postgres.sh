# shellcheck shell=bash
# Start a throw-away PostgreSQL server on loopback for the tests marked `postgres`.
#
# Usage (from the repository root):   source .ci/postgres.sh
#
# What it does:
#   1. finds a PostgreSQL server binary (PATH, `pg_config --bindir`, /usr/lib/postgresql/*/bin);
#      when there is none it installs Debian's `postgresql` package with apt-get;
#   2. runs initdb into a fresh temporary directory (trust authentication, loopback only);
#   3. starts the server on 127.0.0.1 on a free port, as a non-root user when run as root
#      (the `postgres` system user when it exists, else a `pseudoboost-pg` user it creates);
#   4. creates the database `pseudoboost_test` and exports
#      PSEUDOBOOST_TEST_POSTGRES_URL=postgresql+psycopg2://postgres@127.0.0.1:<port>/pseudoboost_test
#      (also printed on stdout). The URL names the psycopg2 driver: SQLAlchemy 2.1 maps a bare
#      postgresql:// to psycopg 3, while the dev extra installs psycopg2-binary.
#
# It leaves the server running for the rest of the shell. `pseudoboost_postgres_stop` stops it
# and removes its directory; when the sourcing shell has no EXIT trap, one is set that does so.
# Knobs (environment): PSEUDOBOOST_PG_FSYNC=on keeps fsync on (default off: a test server,
# nothing on it is worth keeping); PSEUDOBOOST_PG_PORT forces a port.
# When PSEUDOBOOST_TEST_POSTGRES_URL is already set, the script only reports it and returns.
# The script never changes the sourcing shell's options (no `set -e`); it returns non-zero on
# failure with a message on stderr.

_pseudoboost_pg_log() { echo "[.ci/postgres.sh] $*" >&2; }

_pseudoboost_pg_find_bindir() {
    local candidate
    if candidate="$(command -v postgres 2>/dev/null)" && [ -x "$candidate" ]; then
        dirname "$(readlink -f "$candidate")"
        return 0
    fi
    if command -v pg_config >/dev/null 2>&1; then
        candidate="$(pg_config --bindir 2>/dev/null)"
        if [ -x "$candidate/postgres" ]; then
            echo "$candidate"
            return 0
        fi
    fi
    # Debian keeps the server outside PATH, one folder per major version: take the newest.
    candidate="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)"
    if [ -n "$candidate" ] && [ -x "$candidate/postgres" ]; then
        echo "$candidate"
        return 0
    fi
    return 1
}

_pseudoboost_pg_install() {
    local sudo=""
    if [ "$(id -u)" -ne 0 ]; then
        if command -v sudo >/dev/null 2>&1; then
            sudo="sudo"
        else
            _pseudoboost_pg_log "no PostgreSQL server found and not root (no sudo) to install one"
            return 1
        fi
    fi
    _pseudoboost_pg_log "no PostgreSQL server found: installing Debian's postgresql package"
    # The package's post-install may try to start its own cluster; forbid that in containers.
    $sudo env DEBIAN_FRONTEND=noninteractive apt-get update -qq >&2 || return 1
    $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
        postgresql >&2 || return 1
}

_pseudoboost_pg_port_busy() {
    # Something answers on 127.0.0.1:$1.
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

_pseudoboost_pg_free_port() {
    local port tries=0
    while [ "$tries" -lt 200 ]; do
        port=$((20000 + RANDOM % 40000))
        if ! _pseudoboost_pg_port_busy "$port"; then
            echo "$port"
            return 0
        fi
        tries=$((tries + 1))
    done
    return 1
}

_pseudoboost_pg_run() {
    if [ -n "${PSEUDOBOOST_PG_RUNAS:-}" ]; then
        # From /, which the unprivileged user can read (initdb fails in an unreadable cwd).
        (cd / && runuser -u "$PSEUDOBOOST_PG_RUNAS" -- "$@")
    else
        "$@"
    fi
}

pseudoboost_postgres_stop() {
    if [ -n "${PSEUDOBOOST_PG_DATADIR:-}" ] && [ -d "$PSEUDOBOOST_PG_DATADIR" ]; then
        _pseudoboost_pg_run "$PSEUDOBOOST_PG_BINDIR/pg_ctl" -D "$PSEUDOBOOST_PG_DATADIR/data" \
            -m immediate stop >/dev/null 2>&1
        rm -rf "$PSEUDOBOOST_PG_DATADIR"
    fi
    unset PSEUDOBOOST_PG_DATADIR PSEUDOBOOST_PG_RUNAS PSEUDOBOOST_PG_BINDIR
}

_pseudoboost_pg_start() {
    local bindir runas="" base port attempt fsync
    if [ -n "${PSEUDOBOOST_TEST_POSTGRES_URL:-}" ]; then
        _pseudoboost_pg_log "PSEUDOBOOST_TEST_POSTGRES_URL already set; using it"
        echo "PSEUDOBOOST_TEST_POSTGRES_URL=$PSEUDOBOOST_TEST_POSTGRES_URL"
        return 0
    fi
    if ! bindir="$(_pseudoboost_pg_find_bindir)"; then
        _pseudoboost_pg_install || return 1
        bindir="$(_pseudoboost_pg_find_bindir)" || {
            _pseudoboost_pg_log "postgresql installed but no server binary found"
            return 1
        }
    fi
    _pseudoboost_pg_log "server binaries: $bindir ($("$bindir/postgres" --version))"

    # PostgreSQL refuses to run as root: use an unprivileged user.
    if [ "$(id -u)" -eq 0 ]; then
        if id postgres >/dev/null 2>&1; then
            runas="postgres"
        else
            if ! id pseudoboost-pg >/dev/null 2>&1; then
                useradd --system --no-create-home --shell /usr/sbin/nologin pseudoboost-pg \
                    || return 1
            fi
            runas="pseudoboost-pg"
        fi
    fi
    export PSEUDOBOOST_PG_RUNAS="$runas"

    base="$(mktemp -d "${TMPDIR:-/tmp}/pseudoboost-pg.XXXXXX")" || return 1
    chmod 755 "$base"
    [ -n "$runas" ] && chown "$runas" "$base"
    if ! _pseudoboost_pg_run "$bindir/initdb" -D "$base/data" -U postgres --auth=trust -E UTF8 \
        --locale=C >"$base/initdb.log" 2>&1; then
        _pseudoboost_pg_log "initdb failed:"
        cat "$base/initdb.log" >&2
        rm -rf "$base"
        return 1
    fi

    fsync="${PSEUDOBOOST_PG_FSYNC:-off}"
    for attempt in 1 2 3 4 5; do
        port="${PSEUDOBOOST_PG_PORT:-$(_pseudoboost_pg_free_port)}" || return 1
        if _pseudoboost_pg_run "$bindir/pg_ctl" -D "$base/data" -l "$base/server.log" -w -t 60 \
            -o "-h 127.0.0.1 -p $port -k $base -c max_connections=200 -c fsync=$fsync \
                -c synchronous_commit=$fsync -c full_page_writes=$fsync" \
            start >/dev/null 2>&1; then
            break
        fi
        port=""
        if [ -n "${PSEUDOBOOST_PG_PORT:-}" ]; then
            break
        fi
        _pseudoboost_pg_log "start on a port failed (attempt $attempt), trying another"
    done
    if [ -z "$port" ]; then
        _pseudoboost_pg_log "could not start the server; its log:"
        cat "$base/server.log" >&2
        rm -rf "$base"
        return 1
    fi

    export PSEUDOBOOST_PG_DATADIR="$base" PSEUDOBOOST_PG_BINDIR="$bindir"
    if ! "$bindir/psql" -h 127.0.0.1 -p "$port" -U postgres -d postgres -v ON_ERROR_STOP=1 \
        -q -c "CREATE DATABASE pseudoboost_test" >&2; then
        _pseudoboost_pg_log "could not create the database"
        pseudoboost_postgres_stop
        return 1
    fi
    export PSEUDOBOOST_TEST_POSTGRES_URL="postgresql+psycopg2://postgres@127.0.0.1:$port/pseudoboost_test"
    if [ -z "$(trap -p EXIT)" ]; then
        trap pseudoboost_postgres_stop EXIT
    fi
    _pseudoboost_pg_log "PostgreSQL running on 127.0.0.1:$port (data in $base, fsync=$fsync)"
    echo "PSEUDOBOOST_TEST_POSTGRES_URL=$PSEUDOBOOST_TEST_POSTGRES_URL"
}

_pseudoboost_pg_start
