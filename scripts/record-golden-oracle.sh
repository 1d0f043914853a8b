#!/usr/bin/env bash
# scripts/record-golden-oracle.sh setup|start|fresh [FIRST_JOB_ID]|status|stop|conf
#
# A PRIVATE real-Slurm 22.05 cluster for recording fixtures/golden: the same
# cluster as the shared oracle (/work/shared/slurm-oracle: ClusterName=oracle,
# gpu[1-4], partitions h100 (default) and a100, same node/partition lines and
# parameters) in its `install.sh --with-slurmdbd` mode (slurmdbd + MariaDB, so
# plain `sacct` works), but with its own ports, directories, munged, MariaDB
# and daemons.  It never touches the shared oracle, which other work uses and
# which must not be restarted while it has their jobs.
#
# Why private: recording golden outputs needs (a) slurmdbd for sacct and (b) an
# EMPTY queue at the start of every scenario (`squeue`, `sinfo`, `squeue --json`
# list every job slurmctld holds, finished ones included for MinJobAge=300 s).
# `fresh` therefore restarts slurmctld with `-c` and its job state removed
# (ids restart at FirstJobId=1000, as in our TestCluster) and empties
# slurmdbd's job tables (sacct sees only the scenario's jobs).
#
#   setup          write the config (derived from /etc/slurm-oracle/slurm.conf), init MariaDB
#   start          start munged, mariadb, slurmdbd, slurmctld, 4 slurmd (idempotent)
#   fresh [ID]     cancel everything, empty slurmdbd's job tables, restart slurmctld -c
#                  (job state removed) + slurmds with FirstJobId=ID (default 1000)
#   status         sinfo + squeue
#   stop           stop exactly what start started (pid files)
#   conf           print the path of the generated slurm.conf
#
# Differences from the shared oracle's slurm.conf in slurmdbd mode (all
# host-specific: ports and paths; masked or filtered when comparing):
#   SlurmctldPort 6917 (6817), slurmd ports 6921-6924 (6821-6824), SlurmdPort 6921,
#   slurmdbd 6919 (same number, own daemon), MariaDB 127.0.0.1:3308 (3307),
#   /etc|/var/lib|/var/log|/run/flow-golden-oracle instead of .../slurm-oracle,
#   and a FirstJobId= line (per scenario).
set -euo pipefail

G_CONF_DIR=/etc/flow-golden-oracle
G_STATE_DIR=/var/lib/flow-golden-oracle
G_LOG_DIR=/var/log/flow-golden-oracle
G_RUN_DIR=/run/flow-golden-oracle
G_SBIN=$G_STATE_DIR/sbin
G_MUNGE_DIR=$G_RUN_DIR/munge
G_MUNGE_SOCK=$G_MUNGE_DIR/munge.socket
G_NODES="gpu1 gpu2 gpu3 gpu4"
G_CTLD_PORT=6917
G_DBD_PORT=6919
G_NODE_PORT_BASE=6920
G_MYSQL_PORT=3308
SRC_CONF=${SRC_CONF:-/etc/slurm-oracle/slurm.conf}
export SLURM_CONF=$G_CONF_DIR/slurm.conf
export PATH=/usr/sbin:/usr/bin:/sbin:/bin

[ "$(id -u)" = 0 ] || { echo "record-golden-oracle.sh must run as root" >&2; exit 1; }

alive() { # PIDFILE EXE-SUBSTRING
  local pf=$1 want=$2 pid
  [ -s "$pf" ] || return 1
  pid=$(cat "$pf")
  [ -d "/proc/$pid" ] || return 1
  grep -q "$want" "/proc/$pid/cmdline" 2>/dev/null
}
wait_for() { # SECONDS DESCRIPTION CMD...
  local t=$1 what=$2; shift 2
  local end=$((SECONDS + t))
  until "$@" >/dev/null 2>&1; do
    if [ $SECONDS -ge $end ]; then echo "timeout waiting for $what" >&2; return 1; fi
    sleep 0.2
  done
}
stop_pidfile() { # PIDFILE EXE-SUBSTRING
  local pf=$1 want=$2 pid i
  [ -s "$pf" ] || { rm -f "$pf"; return 0; }
  pid=$(cat "$pf")
  if [ -d "/proc/$pid" ] && grep -q "$want" "/proc/$pid/cmdline" 2>/dev/null; then
    kill -TERM "$pid" 2>/dev/null || true
    for i in $(seq 1 300); do [ -d "/proc/$pid" ] || break; sleep 0.1; done
    [ -d "/proc/$pid" ] && kill -KILL "$pid" 2>/dev/null || true
  fi
  rm -f "$pf"
}

write_conf() { # FIRST_JOB_ID (may be empty)
  local first=${1:-}
  [ -f "$SRC_CONF" ] || { echo "no $SRC_CONF (run /work/shared/slurm-oracle/install.sh first)" >&2; exit 1; }
  mkdir -p "$G_CONF_DIR"
  local tmp; tmp=$(mktemp)
  {
    echo "# Private golden-recording copy of $SRC_CONF in slurmdbd mode, written by scripts/record-golden-oracle.sh"
    echo "# (own ports and paths; accounting lines as install.sh --with-slurmdbd writes them)."
    # the accounting block of install.sh's default mode is replaced by its slurmdbd-mode block
    sed -e "s#/var/lib/slurm-oracle#$G_STATE_DIR#g" \
        -e "s#/var/log/slurm-oracle#$G_LOG_DIR#g" \
        -e "s#/run/slurm-oracle#$G_RUN_DIR#g" \
        -e "s#^SlurmctldPort=.*#SlurmctldPort=$G_CTLD_PORT#" \
        -e "s#^SlurmdPort=.*#SlurmdPort=$((G_NODE_PORT_BASE + 1))#" \
        -e "s#Port=682\([1-4]\)#Port=692\1#" \
        -e '/^AccountingStorage/d' -e '/^JobAcctGather/d' -e '/^# for the slurmdbd connection/d' \
        -e '/^# track GPUs as a TRES/,/^# with TRES gres\/gpu/d' \
        -e '/^FirstJobId=/d' \
        "$SRC_CONF" | awk -v dbd="$G_DBD_PORT" -v sock="$G_MUNGE_SOCK" '
          /^JobCompLoc=/ { print; print "AccountingStorageType=accounting_storage/slurmdbd";
            print "AccountingStorageHost=localhost"; print "AccountingStoragePort=" dbd;
            print "# for the slurmdbd connection Slurm takes the munge socket from here, not AuthInfo";
            print "AccountingStoragePass=socket=" sock;
            print "# track GPUs as a TRES, so job TRES strings show gres/gpu=N (as on GPU sites);";
            print "# without slurmdbd slurmctld refuses it (fatal: slurmdbd is required to run";
            print "# with TRES gres/gpu), so TRES= lacks gres/gpu in the default mode";
            print "AccountingStorageTRES=gres/gpu"; print "JobAcctGatherType=jobacct_gather/linux";
            print "JobAcctGatherFrequency=30"; next }
          { print }'
    [ -n "$first" ] && echo "FirstJobId=$first"
  } > "$tmp"
  install -m 0644 "$tmp" "$G_CONF_DIR/slurm.conf"
  sed -e "s#/var/lib/slurm-oracle#$G_STATE_DIR#g" "$(dirname "$SRC_CONF")/gres.conf" > "$tmp"
  install -m 0644 "$tmp" "$G_CONF_DIR/gres.conf"
  : > "$tmp"; install -m 0644 "$tmp" "$G_CONF_DIR/plugstack.conf"
  cat > "$tmp" <<EOF
# Written by scripts/record-golden-oracle.sh (as shared/slurm-oracle/install.sh --with-slurmdbd, own ports/paths)
AuthType=auth/munge
DbdHost=localhost
DbdPort=$G_DBD_PORT
SlurmUser=root
PidFile=$G_RUN_DIR/slurmdbd.pid
LogFile=$G_LOG_DIR/slurmdbd.log
DebugLevel=info
StorageType=accounting_storage/mysql
AuthInfo=socket=$G_MUNGE_SOCK
StorageHost=127.0.0.1
StoragePort=$G_MYSQL_PORT
StorageLoc=slurm_acct_db
StorageUser=slurm
StoragePass=oracle
EOF
  install -m 0600 "$tmp" "$G_CONF_DIR/slurmdbd.conf"
  rm -f "$tmp"
}

setup() {
  for b in /usr/sbin/slurmctld-wlm /usr/sbin/slurmd-wlm /usr/sbin/slurmstepd-wlm /usr/sbin/slurmdbd /usr/sbin/munged /usr/sbin/mariadbd; do
    [ -x "$b" ] || { echo "missing $b (apt-get install slurmdbd mariadb-server; the oracle's install.sh installs the rest)" >&2; exit 1; }
  done
  mkdir -p "$G_SBIN" "$G_STATE_DIR/ctld" "$G_LOG_DIR" "$G_RUN_DIR" "$G_STATE_DIR/fake-gpu"
  for b in slurmctld slurmd slurmstepd; do ln -sfn /usr/sbin/$b-wlm "$G_SBIN/$b"; done
  for n in $G_NODES; do mkdir -p "$G_STATE_DIR/d-$n"; done
  for i in 0 1 2 3 4 5 6 7; do
    f="$G_STATE_DIR/fake-gpu/nvidia$i"
    [ -c "$f" ] || { rm -f "$f"; mknod -m 0666 "$f" c 195 "$i"; }
  done
  [ -f "$G_CONF_DIR/slurm.conf" ] || write_conf ""
}

start() {
  setup
  mkdir -p "$G_MUNGE_DIR" "$G_STATE_DIR/munge" "$G_LOG_DIR/munge"
  chown munge:munge "$G_MUNGE_DIR" "$G_STATE_DIR/munge" "$G_LOG_DIR/munge"
  chmod 0755 "$G_MUNGE_DIR"; chmod 0700 "$G_STATE_DIR/munge" "$G_LOG_DIR/munge"
  if ! alive "$G_MUNGE_DIR/munged.pid" munged; then
    rm -f "$G_MUNGE_SOCK" "$G_MUNGE_SOCK.lock"
    runuser -u munge -- /usr/sbin/munged --socket="$G_MUNGE_SOCK" --pid-file="$G_MUNGE_DIR/munged.pid" \
      --log-file="$G_LOG_DIR/munge/munged.log" --seed-file="$G_STATE_DIR/munge/munged.seed" \
      --key-file=/etc/munge/munge.key
    wait_for 10 munged sh -c "munge -S '$G_MUNGE_SOCK' -n | unmunge -S '$G_MUNGE_SOCK'"
  fi
  local DB="$G_STATE_DIR/mysql" MYRUN="$G_RUN_DIR/mysqld" MYLOG="$G_LOG_DIR/mariadb"
  mkdir -p "$DB" "$MYRUN" "$MYLOG"; chown mysql:mysql "$DB" "$MYRUN" "$MYLOG"
  local MYSQL_SOCK="$MYRUN/mysqld.sock"
  if ! alive "$MYRUN/mysqld.pid" mariadbd; then
    if [ ! -d "$DB/mysql" ]; then
      mariadb-install-db --no-defaults --user=mysql --datadir="$DB" \
        --auth-root-authentication-method=socket --skip-test-db > "$MYLOG/install-db.log" 2>&1
    fi
    setsid /usr/sbin/mariadbd --no-defaults --user=mysql --datadir="$DB" \
      --bind-address=127.0.0.1 --port="$G_MYSQL_PORT" --socket="$MYSQL_SOCK" \
      --pid-file="$MYRUN/mysqld.pid" --log-error="$MYLOG/mariadb.err" \
      --innodb-buffer-pool-size=128M --innodb-lock-wait-timeout=900 \
      --character-set-server=utf8mb4 --collation-server=utf8mb4_general_ci \
      < /dev/null > /dev/null 2>&1 &
    wait_for 60 mariadb mariadb --no-defaults -S "$MYSQL_SOCK" -uroot -e "select 1"
    wait_for 10 "mariadb pid file" test -s "$MYRUN/mysqld.pid"
  fi
  # UTF-8 as Debian's MariaDB has it (mariadb.conf.d: utf8mb4): with --no-defaults the server would be
  # latin1, and job names that are not Latin-1 would come back from slurmdbd as '?'. A database made
  # latin1 by an earlier version of this script is made again (slurmdbd re-creates its tables; the job
  # tables are emptied before every scenario anyway).
  if ! alive "$G_RUN_DIR/slurmdbd.pid" slurmdbd && [ "$(mariadb --no-defaults -S "$MYSQL_SOCK" -uroot -N -e \
      "SELECT DEFAULT_CHARACTER_SET_NAME FROM information_schema.SCHEMATA WHERE SCHEMA_NAME='slurm_acct_db'")" = latin1 ]; then
    mariadb --no-defaults -S "$MYSQL_SOCK" -uroot -e "DROP DATABASE slurm_acct_db"
  fi
  mariadb --no-defaults -S "$MYSQL_SOCK" -uroot <<'SQL'
CREATE DATABASE IF NOT EXISTS slurm_acct_db CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci;
CREATE USER IF NOT EXISTS 'slurm'@'127.0.0.1' IDENTIFIED BY 'oracle';
CREATE USER IF NOT EXISTS 'slurm'@'localhost' IDENTIFIED BY 'oracle';
GRANT ALL ON slurm_acct_db.* TO 'slurm'@'127.0.0.1';
GRANT ALL ON slurm_acct_db.* TO 'slurm'@'localhost';
SQL
  if ! alive "$G_RUN_DIR/slurmdbd.pid" slurmdbd; then
    /usr/sbin/slurmdbd
    wait_for 60 slurmdbd sacctmgr -n show cluster
    wait_for 10 "slurmdbd pid file" test -s "$G_RUN_DIR/slurmdbd.pid"
  fi
  if ! sacctmgr -n -P show cluster format=cluster | grep -qx oracle; then
    sacctmgr -i add cluster oracle >/dev/null
  fi
  start_ctld_slurmd 0
}

start_ctld_slurmd() { # CLEAN(0|1)
  if ! alive "$G_RUN_DIR/slurmctld.pid" slurmctld; then
    local args=(-f "$SLURM_CONF")
    [ "$1" = 1 ] && args+=(-c)
    "$G_SBIN/slurmctld" "${args[@]}"
    wait_for 30 slurmctld scontrol ping
  fi
  for n in $G_NODES; do
    if ! alive "$G_RUN_DIR/slurmd-$n.pid" slurmd; then
      "$G_SBIN/slurmd" -f "$SLURM_CONF" -N "$n" -d "$G_SBIN/slurmstepd"
      wait_for 10 "slurmd $n pid file" test -s "$G_RUN_DIR/slurmd-$n.pid"
    fi
  done
  local end=$((SECONDS + 60)) resumed=0
  until sinfo -h -N -o '%t' | awk '!/^(idle)$/ {bad = 1} END {exit (bad || NR == 0)}'; do
    if [ $resumed = 0 ] && [ $SECONDS -gt $((end - 50)) ]; then
      bad=$(sinfo -h -N -t down,drain,drng,fail -o '%N' | sort -u | paste -sd, -)
      [ -n "$bad" ] && scontrol update nodename="$bad" state=resume 2>/dev/null || true
      resumed=1
    fi
    if [ $SECONDS -ge $end ]; then echo "nodes not idle after 60s:" >&2; sinfo -N >&2; exit 1; fi
    sleep 0.3
  done
}

cancel_all() {
  if alive "$G_RUN_DIR/slurmctld.pid" slurmctld && scontrol ping >/dev/null 2>&1; then
    local ids; ids=$(squeue -h -o %A 2>/dev/null | sort -u)
    if [ -n "$ids" ]; then
      # shellcheck disable=SC2086
      scancel $ids 2>/dev/null || true
      for _ in $(seq 1 120); do
        [ -z "$(squeue -h -t running,completing,configuring -o %i 2>/dev/null)" ] && break
        sleep 0.25
      done
    fi
  fi
}

stop_ctld_slurmd() {
  cancel_all
  for n in $G_NODES; do stop_pidfile "$G_RUN_DIR/slurmd-$n.pid" slurmd; done
  stop_pidfile "$G_RUN_DIR/slurmctld.pid" slurmctld
}

fresh() { # [FIRST_JOB_ID]
  local first=${1:-1000}
  stop_ctld_slurmd
  # slurmctld -c forgets the jobs but keeps counting job ids from its saved state:
  # drop that state too, so ids restart at FirstJobId; and empty slurmdbd's job
  # tables, so sacct (which matches reused ids, array ids and names across all
  # records) sees only the scenario's jobs, as our fresh test cluster does
  rm -f "$G_STATE_DIR"/ctld/job_state "$G_STATE_DIR"/ctld/job_state.old
  mariadb --no-defaults -S "$G_RUN_DIR/mysqld/mysqld.sock" -uroot slurm_acct_db -e \
    "DELETE FROM oracle_job_table; DELETE FROM oracle_step_table; DELETE FROM oracle_suspend_table;
     DELETE FROM oracle_job_env_table; DELETE FROM oracle_job_script_table;"
  write_conf "$first"
  start_ctld_slurmd 1
  echo "$first"
}

case "${1:-}" in
  setup) setup; write_conf ""; echo "$SLURM_CONF" ;;
  start) start; sinfo ;;
  fresh) start >/dev/null; fresh "${2:-}" ;;
  status) sinfo; squeue ;;
  stop)
    stop_ctld_slurmd
    stop_pidfile "$G_RUN_DIR/slurmdbd.pid" slurmdbd
    stop_pidfile "$G_RUN_DIR/mysqld/mysqld.pid" mariadbd
    stop_pidfile "$G_MUNGE_DIR/munged.pid" munged ;;
  conf) echo "$SLURM_CONF" ;;
  *) sed -n '2,30p' "$0" >&2; exit 2 ;;
esac
