# lab.sh — what the namespace labs share: samples/make-samples.sh (the sample
# captures) and bench/make-capture.sh (the benchmark capture) source it.
#
# Before sourcing, the script defines log() and die(). Afterwards it sets
# ALL_NS (its namespaces) and W (its scratch directory), then calls
# lab_init; everything it starts in the background goes through start_svc
# (services, by name), LAB_WORKERS (other loops, by PID) or CAP_PID (the
# capture), so lab_cleanup, run on exit, error or signal, can stop each by
# its PID and remove the namespaces. Nothing here touches a process the lab
# did not start, nor any network outside the lab's namespaces.

# Installs the Debian packages whose commands are missing. Arguments:
# "command:package" pairs. Packages are kept from starting their system
# services on the host (policy-rc.d): the lab runs its own instances.
lab_install_missing() {
  local missing=() cp c p
  for cp in "$@"; do
    c=${cp%%:*}; p=${cp#*:}
    PATH=/usr/sbin:/usr/bin:/sbin:/bin command -v "$c" >/dev/null 2>&1 || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  log "installing missing Debian packages: ${missing[*]}"
  local made_policy=0 rc=0
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
    chmod 755 /usr/sbin/policy-rc.d
    made_policy=1
  fi
  {
    DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=900 update -qq &&
    echo "wireshark-common wireshark-common/install-setuid boolean false" | debconf-set-selections &&
    DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=900 install -y -qq \
      --no-install-recommends "${missing[@]}" >/dev/null
  } || rc=$?
  [ $made_policy -eq 1 ] && rm -f /usr/sbin/policy-rc.d
  [ $rc -eq 0 ] || die "apt-get install failed ($rc)"
}

declare -A PIDS=()     # service name -> pid
LAB_WORKERS=()         # traffic loops and other background jobs
CAP_PID=""
LAB_CLEANED=0

stop_pid() {  # pid [grace-seconds]: TERM, then KILL after the grace
  local pid=$1 grace=${2:-5} i
  [ -n "$pid" ] || return 0
  kill -0 "$pid" 2>/dev/null || { wait "$pid" 2>/dev/null || true; return 0; }
  kill -TERM "$pid" 2>/dev/null || true
  for ((i = 0; i < grace * 10; i++)); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}

stop_svc() {  # service name
  local name=$1
  [ -n "${PIDS[$name]:-}" ] || return 0
  stop_pid "${PIDS[$name]}" 5
  unset "PIDS[$name]"
}

lab_cleanup() {
  local rc=$?
  [ $LAB_CLEANED -eq 1 ] && return 0
  LAB_CLEANED=1
  set +e
  trap - INT TERM HUP
  local pid n ns
  for pid in "${LAB_WORKERS[@]}"; do stop_pid "$pid" 2; done
  [ -n "$CAP_PID" ] && stop_pid "$CAP_PID" 3
  for n in "${!PIDS[@]}"; do stop_pid "${PIDS[$n]}" 5; done
  # Anything still running inside our own namespaces was started by us
  # (helpers of squid etc.): stop it by pid.
  for ns in "${ALL_NS[@]}"; do
    if ip netns list 2>/dev/null | grep -qw -- "$ns"; then
      for pid in $(ip netns pids "$ns" 2>/dev/null); do stop_pid "$pid" 2; done
    fi
  done
  for ns in "${ALL_NS[@]}"; do
    ip netns del "$ns" 2>/dev/null
    rm -rf "/etc/netns/$ns"
  done
  rmdir /etc/netns 2>/dev/null
  if [ "${KEEP_WORKDIR:-0}" = 1 ]; then log "scratch directory kept: $W"; else rm -rf "$W"; fi
  [ $rc -ne 0 ] && log "failed (exit $rc); lab torn down"
  return $rc
}

lab_init() {
  trap lab_cleanup EXIT
  trap 'log "interrupted"; exit 130' INT TERM HUP
}

nsx() { local ns=$1; shift; ip netns exec "$ns" "$@"; }

start_svc() {  # name ns command...   (background, output to $W/log/NAME.log)
  local name=$1 ns=$2; shift 2
  [ -z "${PIDS[$name]:-}" ] || die "service $name already running"
  ip netns exec "$ns" "$@" >"$W/log/$name.log" 2>&1 &
  PIDS[$name]=$!
}

wait_listen() {  # ns proto(tcp|udp) addr:port service — wait until it listens
  local ns=$1 proto=$2 ap=$3 svc=$4 i flag
  [ "$proto" = tcp ] && flag=-tln || flag=-uln
  for ((i = 0; i < 100; i++)); do
    nsx "$ns" ss -H $flag 2>/dev/null | awk '{print $4}' | grep -qxF -- "$ap" && return 0
    kill -0 "${PIDS[$svc]}" 2>/dev/null || die "$svc exited: $(tail -n 3 "$W/log/$svc.log")"
    sleep 0.1
  done
  die "nothing listens on $proto $ap in $ns (see $W/log)"
}

ns_prepare() {  # ns: a new namespace with no IPv6 autoconfiguration chatter
  local ns=$1
  ip netns add "$ns"
  nsx "$ns" sysctl -qw net.ipv6.conf.default.accept_ra=0 \
    net.ipv6.conf.default.router_solicitations=0 \
    net.ipv6.conf.default.accept_dad=0 net.ipv6.conf.default.dad_transmits=0 \
    net.ipv6.conf.all.accept_ra=0 net.ipv6.conf.all.router_solicitations=0 \
    net.ipv6.conf.default.addr_gen_mode=0
  nsx "$ns" ip link set lo up
}

no_offload() {  # ns dev — so captured frames look like real wire frames
  nsx "$1" ethtool -K "$2" tx off rx off tso off gso off gro off >/dev/null 2>&1 || true
  nsx "$1" ip link set "$2" mtu 1500
}

lab_assert_closed() {  # no namespace of the lab has a default route
  local ns
  for ns in "${ALL_NS[@]}"; do
    if nsx "$ns" ip route show default | grep -q . || nsx "$ns" ip -6 route show default | grep -q .; then
      die "namespace $ns has a default route"
    fi
  done
}
