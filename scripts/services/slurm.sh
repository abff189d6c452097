#!/usr/bin/env bash
# A real single-node Slurm cluster (with accounting) plus an sshd on 127.0.0.1 for ASTRAN's tests.
# Works on a fresh Debian 12 machine as root without systemd: every daemon is started by hand and
# stopped by PID.
#
#   slurm.sh up [--no-accounting]  install (if missing), configure, start everything; idempotent
#                          (--no-accounting: then stop slurmdbd, so sacct fails and fallbacks are used)
#   slurm.sh down          scancel all jobs, stop everything in reverse order
#   slurm.sh status        exit 0 only if every daemon answers
#   slurm.sh acct-off|acct-on      stop / start slurmdbd (accounting unavailable scenario)
#   slurm.sh ctld-restart          restart slurmctld (jobs are recovered from its state dir)
#   slurm.sh sshd-stop|sshd-start  stop / start only sshd (connection loss scenario)
#
# Outputs: $STATE/slurm.env with ASTRAN_TEST_SSH_HOST/PORT/USER/KEY/KNOWN_HOSTS.
set -euo pipefail

STATE=${ASTRAN_CI_STATE:-/var/lib/astran-ci}
SSH_PORT=${ASTRAN_CI_SSH_PORT:-2222}
USER_NAME=astran
CLUSTER=ci
# A second account (and a QoS) for a person's own Slurm settings in the people tests.
PERSON_ACCOUNT=astran_alice
PERSON_QOS=astran_high
# python3-minimal: the compute node's interpreter for the stand-in lstchain environment (test/fakes/standins/lstchain-env).
PKGS=(munge slurmctld slurmd slurm-client openssh-server mariadb-server slurmdbd python3-minimal)

log() { printf 'slurm.sh: %s\n' "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

[ "$(id -u)" = 0 ] || die "must run as root"

alive() { # pidfile -> 0 if the process in it runs
  local f=$1 pid
  [ -s "$f" ] || return 1
  pid=$(cat "$f" 2>/dev/null) || return 1
  [[ "$pid" =~ ^[0-9]+$ ]] && kill -0 "$pid" 2>/dev/null
}

wait_for() { # seconds description command...
  local secs=$1 what=$2 i; shift 2
  for ((i = 0; i < secs * 10; i++)); do
    if "$@" >/dev/null 2>&1; then return 0; fi
    sleep 0.1
  done
  die "timed out waiting for $what"
}

stop_pidfile() { # pidfile name
  local f=$1 name=$2 pid i
  if alive "$f"; then
    pid=$(cat "$f")
    kill "$pid" 2>/dev/null || true
    for ((i = 0; i < 100; i++)); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    if kill -0 "$pid" 2>/dev/null; then log "$name did not stop, killing"; kill -9 "$pid" 2>/dev/null || true; fi
    log "stopped $name"
  fi
  rm -f "$f"
}

install_packages() {
  local missing=() p
  for p in "${PKGS[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  log "installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get -o DPkg::Lock::Timeout=600 update -q >/dev/null
  apt-get -o DPkg::Lock::Timeout=600 install -y -q --no-install-recommends "${PKGS[@]}" >/dev/null
}

write_configs() {
  mkdir -p "$STATE" /etc/slurm /var/lib/slurm/slurmctld /var/lib/slurm/slurmd /var/log/slurm /run/slurm \
    /run/munge /run/mysqld /run/sshd
  chmod 700 "$STATE"
  chown slurm:slurm /var/lib/slurm/slurmctld /var/log/slurm /run/slurm
  chown munge:munge /run/munge
  chown mysql:mysql /run/mysqld
  [ -s /etc/munge/munge.key ] || { mungekey -c -f -k /etc/munge/munge.key; chown munge:munge /etc/munge/munge.key; chmod 600 /etc/munge/munge.key; }

  # The node's topology from slurmd -C (a bare CPUs=N gives boundary warnings); named localhost
  # because the machine's hostname varies and slurmd is started with -N localhost.
  local node
  node=$(slurmd -C | head -1 | sed -e 's/^NodeName=[^ ]*/NodeName=localhost/' -e 's/ UpTime=.*//')
  local mem
  mem=$(sed -n 's/.*RealMemory=\([0-9]*\).*/\1/p' <<<"$node")
  # Leave headroom so the node never drains on a memory mismatch.
  node=$(sed "s/RealMemory=[0-9]*/RealMemory=$((mem * 9 / 10))/" <<<"$node")

  cat >/etc/slurm/slurm.conf.new <<EOF
# Written by ASTRAN scripts/services/slurm.sh: single-node test cluster.
ClusterName=$CLUSTER
SlurmctldHost=localhost
SlurmUser=slurm
AuthType=auth/munge
CredType=cred/munge
MpiDefault=none
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
ReturnToService=2
MailProg=/bin/true
SlurmctldPidFile=/run/slurm/slurmctld.pid
SlurmdPidFile=/run/slurm/slurmd.pid
StateSaveLocation=/var/lib/slurm/slurmctld
SlurmdSpoolDir=/var/lib/slurm/slurmd
SlurmctldLogFile=/var/log/slurm/slurmctld.log
SlurmdLogFile=/var/log/slurm/slurmd.log
SchedulerType=sched/backfill
SchedulerParameters=batch_sched_delay=0
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
DefMemPerCPU=100
MinJobAge=3600
KillWait=5
InactiveLimit=0
Waittime=0
MaxArraySize=10001
AccountingStorageType=accounting_storage/slurmdbd
AccountingStorageHost=localhost
AccountingStoreFlags=job_comment
JobAcctGatherType=jobacct_gather/linux
JobAcctGatherFrequency=30
$node State=UNKNOWN
PartitionName=debug Nodes=localhost Default=YES MaxTime=INFINITE State=UP
EOF
  mv /etc/slurm/slurm.conf.new /etc/slurm/slurm.conf

  [ -s "$STATE/db.pass" ] || { (umask 077; head -c 18 /dev/urandom | base64 | tr -d '/+=' >"$STATE/db.pass"); }
  local pass
  pass=$(cat "$STATE/db.pass")
  (umask 077; cat >/etc/slurm/slurmdbd.conf <<EOF
# Written by ASTRAN scripts/services/slurm.sh
AuthType=auth/munge
DbdHost=localhost
SlurmUser=slurm
PidFile=/run/slurm/slurmdbd.pid
LogFile=/var/log/slurm/slurmdbd.log
StorageType=accounting_storage/mysql
StorageHost=localhost
StorageUser=slurm
StoragePass=$pass
StorageLoc=slurm_acct_db
EOF
  )
  # slurmdbd refuses a config that is readable by others or not owned by SlurmUser.
  chown slurm:slurm /etc/slurm/slurmdbd.conf
  chmod 600 /etc/slurm/slurmdbd.conf

  cat >"$STATE/sshd_config" <<EOF
# Written by ASTRAN scripts/services/slurm.sh: key-only login for $USER_NAME on loopback.
Port $SSH_PORT
ListenAddress 127.0.0.1
HostKey $STATE/ssh_host_ed25519_key
PidFile $STATE/sshd.pid
UsePAM no
PasswordAuthentication no
KbdInteractiveAuthentication no
PermitRootLogin no
AllowUsers $USER_NAME
AuthorizedKeysFile .ssh/authorized_keys
PubkeyAuthentication yes
X11Forwarding no
PrintMotd no
MaxSessions 50
MaxStartups 50:30:100
ClientAliveInterval 15
Subsystem sftp internal-sftp
EOF
}

setup_user_and_keys() {
  id "$USER_NAME" >/dev/null 2>&1 || useradd -m -s /bin/bash "$USER_NAME"
  # A fresh account is locked ('!') and sshd refuses even key logins for it.
  usermod -p '*' "$USER_NAME"
  local home
  home=$(getent passwd "$USER_NAME" | cut -d: -f6)
  [ -s "$STATE/ssh_host_ed25519_key" ] || ssh-keygen -q -t ed25519 -N '' -f "$STATE/ssh_host_ed25519_key" -C astran-ci-host
  [ -s "$STATE/client_ed25519" ] || ssh-keygen -q -t ed25519 -N '' -f "$STATE/client_ed25519" -C astran-ci-client
  install -d -m 700 -o "$USER_NAME" -g "$USER_NAME" "$home/.ssh"
  install -m 600 -o "$USER_NAME" -g "$USER_NAME" "$STATE/client_ed25519.pub" "$home/.ssh/authorized_keys"
}

start_munge() {
  alive /run/munge/munged.pid && return 0
  runuser -u munge -- /usr/sbin/munged
  wait_for 10 munged munge -n
  wait_for 10 "munged pid file" alive /run/munge/munged.pid
  log "munged up"
}

start_mariadb() {
  local i
  if ! alive /run/mysqld/mariadbd.pid; then
    # A server answering on the socket without our PID file is one this script cannot stop: refuse to
    # start a second one on the same data directory (it would wait on InnoDB's lock).
    if mariadb-admin --socket=/run/mysqld/mysqld.sock ping >/dev/null 2>&1; then
      for ((i = 0; i < 100; i++)); do alive /run/mysqld/mariadbd.pid && break; sleep 0.1; done
      alive /run/mysqld/mariadbd.pid || die "a mariadbd not started by this script serves /run/mysqld/mysqld.sock"
    else
      [ -d /var/lib/mysql/mysql ] || mariadb-install-db --user=mysql --datadir=/var/lib/mysql >/dev/null
      # mariadbd does not daemonize.
      setsid /usr/sbin/mariadbd --user=mysql --datadir=/var/lib/mysql --socket=/run/mysqld/mysqld.sock \
        --pid-file=/run/mysqld/mariadbd.pid --bind-address=127.0.0.1 --innodb-buffer-pool-size=512M \
        --innodb-lock-wait-timeout=900 </dev/null >>/var/log/slurm/mariadbd.log 2>&1 &
      local mpid=$!
      # The socket answers before the PID file is written: wait for both, so `down` can always find it.
      for ((i = 0; i < 600; i++)); do
        mariadb-admin --socket=/run/mysqld/mysqld.sock ping >/dev/null 2>&1 && alive /run/mysqld/mariadbd.pid && break
        kill -0 "$mpid" 2>/dev/null || die "mariadbd exited; see /var/log/slurm/mariadbd.log"
        sleep 0.1
      done
      alive /run/mysqld/mariadbd.pid || die "timed out waiting for mariadbd"
      log "mariadbd up"
    fi
  fi
  local pass
  pass=$(cat "$STATE/db.pass")
  mariadb --socket=/run/mysqld/mysqld.sock -e "CREATE DATABASE IF NOT EXISTS slurm_acct_db;
    CREATE USER IF NOT EXISTS 'slurm'@'localhost' IDENTIFIED BY '$pass';
    ALTER USER 'slurm'@'localhost' IDENTIFIED BY '$pass';
    GRANT ALL ON slurm_acct_db.* TO 'slurm'@'localhost';"
}

start_slurmdbd() {
  alive /run/slurm/slurmdbd.pid && return 0
  /usr/sbin/slurmdbd
  wait_for 60 slurmdbd sacctmgr -n show cluster
  wait_for 10 "slurmdbd pid file" alive /run/slurm/slurmdbd.pid
  log "slurmdbd up"
}

ensure_accounts() {
  sacctmgr -n -P show cluster format=cluster | grep -qx "$CLUSTER" || sacctmgr -i add cluster "$CLUSTER" >/dev/null
  sacctmgr -n -P show account format=account | grep -qx "$USER_NAME" ||
    sacctmgr -i add account "$USER_NAME" Cluster="$CLUSTER" Description=astran-ci Organization=astran >/dev/null
  sacctmgr -n -P show user format=user | grep -qx "$USER_NAME" ||
    sacctmgr -i add user "$USER_NAME" Account="$USER_NAME" Cluster="$CLUSTER" >/dev/null
  # A person's own account and QoS (config people.<id>.slurm): the cluster user may also submit under
  # $PERSON_ACCOUNT with QoS $PERSON_QOS, so a launch can be charged to someone other than the default account.
  sacctmgr -n -P show qos format=name | grep -qx "$PERSON_QOS" || sacctmgr -i add qos "$PERSON_QOS" >/dev/null
  sacctmgr -n -P show account format=account | grep -qx "$PERSON_ACCOUNT" ||
    sacctmgr -i add account "$PERSON_ACCOUNT" Cluster="$CLUSTER" Description=astran-ci-person Organization=astran >/dev/null
  sacctmgr -n -P show assoc where user="$USER_NAME" account="$PERSON_ACCOUNT" format=account | grep -qx "$PERSON_ACCOUNT" ||
    sacctmgr -i add user "$USER_NAME" Account="$PERSON_ACCOUNT" Cluster="$CLUSTER" >/dev/null
  sacctmgr -n -P show assoc where user="$USER_NAME" account="$PERSON_ACCOUNT" format=qos | tr ',' '\n' | grep -qx "$PERSON_QOS" ||
    sacctmgr -i modify user where name="$USER_NAME" account="$PERSON_ACCOUNT" set QOS+="$PERSON_QOS" >/dev/null
}

start_slurmctld() {
  alive /run/slurm/slurmctld.pid && return 0
  /usr/sbin/slurmctld
  wait_for 30 slurmctld scontrol ping
  wait_for 10 "slurmctld pid file" alive /run/slurm/slurmctld.pid
  log "slurmctld up"
}

start_slurmd() {
  if ! alive /run/slurm/slurmd.pid; then
    /usr/sbin/slurmd -N localhost
    wait_for 10 "slurmd pid file" alive /run/slurm/slurmd.pid
    log "slurmd started"
  fi
  # ReturnToService=2 brings the node back, but a node left DOWN/DRAIN by a previous run needs a nudge.
  local i st
  for ((i = 0; i < 100; i++)); do
    st=$(sinfo -h -n localhost -o %T 2>/dev/null || true)
    case "$st" in
      idle* | mixed* | allocated* | completing*) return 0 ;;
      down* | drain*) scontrol update NodeName=localhost State=RESUME >/dev/null 2>&1 || true ;;
    esac
    sleep 0.1
  done
  die "node not ready (state: $st)"
}

start_sshd() {
  alive "$STATE/sshd.pid" && return 0
  /usr/sbin/sshd -f "$STATE/sshd_config"
  wait_for 10 sshd ssh-keyscan -T 2 -p "$SSH_PORT" 127.0.0.1
  wait_for 10 "sshd pid file" alive "$STATE/sshd.pid"
  log "sshd up on 127.0.0.1:$SSH_PORT"
}

write_env() {
  local kh="$STATE/known_hosts"
  ssh-keyscan -T 5 -t ed25519 -p "$SSH_PORT" 127.0.0.1 2>/dev/null >"$kh.new"
  [ -s "$kh.new" ] || die "ssh-keyscan returned nothing"
  mv "$kh.new" "$kh"
  cat >"$STATE/slurm.env.new" <<EOF
ASTRAN_TEST_SSH_HOST=127.0.0.1
ASTRAN_TEST_SSH_PORT=$SSH_PORT
ASTRAN_TEST_SSH_USER=$USER_NAME
ASTRAN_TEST_SSH_KEY=$STATE/client_ed25519
ASTRAN_TEST_SSH_KNOWN_HOSTS=$kh
ASTRAN_TEST_SLURM_SCRIPT=$(readlink -f "$0")
EOF
  mv "$STATE/slurm.env.new" "$STATE/slurm.env"
}

# Stopping the listening sshd leaves open sessions alive: end its per-connection children too (by PID).
stop_sshd() {
  local pid kids
  if alive "$STATE/sshd.pid"; then
    pid=$(cat "$STATE/sshd.pid")
    kids=$(ps -o pid= --ppid "$pid" 2>/dev/null || true)
    stop_pidfile "$STATE/sshd.pid" sshd
    # shellcheck disable=SC2086
    [ -n "$kids" ] && kill $kids 2>/dev/null || true
  fi
  rm -f "$STATE/sshd.pid"
}

cmd_up() {
  install_packages
  write_configs
  setup_user_and_keys
  start_munge
  start_mariadb
  start_slurmdbd
  ensure_accounts
  start_slurmctld
  start_slurmd
  start_sshd
  write_env
  cat "$STATE/slurm.env"
}

cmd_down() {
  if alive /run/slurm/slurmctld.pid; then
    # Stopping slurmd does not kill running jobs: cancel them first.
    scancel --user="$USER_NAME" 2>/dev/null || true
    local i
    for ((i = 0; i < 50; i++)); do
      [ -z "$(squeue -h -u "$USER_NAME" -t running,completing 2>/dev/null)" ] && break
      sleep 0.2
    done
  fi
  stop_sshd
  stop_pidfile /run/slurm/slurmd.pid slurmd
  stop_pidfile /run/slurm/slurmctld.pid slurmctld
  stop_pidfile /run/slurm/slurmdbd.pid slurmdbd
  stop_pidfile /run/mysqld/mariadbd.pid mariadbd
  stop_pidfile /run/munge/munged.pid munged
}

cmd_status() {
  local ok=0 f name
  for pair in "/run/munge/munged.pid:munged" "/run/mysqld/mariadbd.pid:mariadbd" "/run/slurm/slurmdbd.pid:slurmdbd" \
    "/run/slurm/slurmctld.pid:slurmctld" "/run/slurm/slurmd.pid:slurmd" "$STATE/sshd.pid:sshd"; do
    f=${pair%%:*}; name=${pair##*:}
    if alive "$f"; then echo "$name: up (pid $(cat "$f"))"; else echo "$name: DOWN"; ok=1; fi
  done
  if [ $ok = 0 ]; then
    scontrol ping >/dev/null 2>&1 || { echo "slurmctld: not answering"; ok=1; }
    sacctmgr -n show cluster >/dev/null 2>&1 || { echo "slurmdbd: not answering"; ok=1; }
    [ -s "$STATE/slurm.env" ] || { echo "env file: missing"; ok=1; }
  fi
  return $ok
}

case "${1:-}" in
  up)
    cmd_up
    # Accounting-unavailable scenario from the start: slurmctld runs, sacct fails (as with slurmdbd down).
    if [ "${2:-}" = --no-accounting ]; then stop_pidfile /run/slurm/slurmdbd.pid slurmdbd; fi
    ;;
  down) cmd_down ;;
  status) cmd_status ;;
  acct-off) stop_pidfile /run/slurm/slurmdbd.pid slurmdbd ;;
  acct-on) start_slurmdbd ;;
  ctld-restart) stop_pidfile /run/slurm/slurmctld.pid slurmctld; start_slurmctld ;;
  # Outage scenarios (jobs already running on slurmd keep running while the controller is away).
  ctld-stop) stop_pidfile /run/slurm/slurmctld.pid slurmctld ;;
  ctld-start) start_slurmctld ;;
  sshd-stop) stop_sshd ;;
  sshd-start) start_sshd ;;
  *) echo "usage: $0 up [--no-accounting]|down|status|acct-off|acct-on|ctld-restart|ctld-stop|ctld-start|sshd-stop|sshd-start" >&2; exit 2 ;;
esac
