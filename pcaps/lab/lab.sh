#!/usr/bin/env bash
# pcaps/lab/lab.sh: regenerate the lab corpus, captures made by real tools.
#
# Builds a small LAN of Linux network namespaces on one bridge (in its own
# namespace, hub mode, no veth end in the root namespace, no route out),
# runs each scenario (nmap, masscan, zmap, hping3, arpspoof, ettercap, hydra,
# guest-VM ARP, benign traffic) while tcpdump captures on the bridge, and
# writes for each scenario:
#
#   NAME.pcap         what the switch saw
#   NAME.expect.json  the findings an IPS user expects, derived from what the
#                     tool did (its own output and logs, packet counts by
#                     tcpdump filter over the capture), never from ipsreplay
#   NAME.lab.txt      provenance: command lines, the tools' output (trimmed),
#                     the ground-truth counts and how the expectation follows
#
# Root only (namespaces, raw sockets). Installs missing Debian packages with
# apt-get. Everything it creates is removed on exit, whatever happens.
#
#   make lab                               # all scenarios, into pcaps/lab/
#   LAB_ONLY="nmap-sS arpspoof" make lab    # some scenarios only
#   LAB_OUT=/tmp/x make lab                 # write somewhere else
#
# See README.md beside this file.
set -euo pipefail

LAB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
OUT=${LAB_OUT:-$LAB_DIR}
ONLY=${LAB_ONLY:-}
PY=/usr/bin/python3
NSP=ipsl-  # every namespace, /etc/netns entry and interface prefix of this lab

if [[ $EUID -ne 0 ]]; then
	echo "lab.sh: must run as root (it creates network namespaces and runs raw-socket tools); try: sudo make lab" >&2
	exit 1
fi
export LC_ALL=C
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin

START=$SECONDS
say() { printf '[lab %3ds] %s\n' "$((SECONDS - START))" "$*" >&2; }
die() {
	say "ERROR: $*"
	exit 1
}

# --- packages -------------------------------------------------------------

PKGS=(iproute2 procps openssl python3 bridge-utils tcpdump tshark
	nmap masscan zmap hping3 dsniff ettercap-text-only hydra
	openssh-server openssh-client sshpass vsftpd ftp lftp curl
	inetutils-inetd inetutils-telnetd dnsmasq chrony dnsutils iputils-ping arping)

CREATED_POLICY=0
install_packages() {
	local missing=() p
	for p in "${PKGS[@]}"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
	done
	((${#missing[@]})) || return 0
	say "installing: ${missing[*]}"
	# services from these packages must not start on this machine
	if [[ ! -e /usr/sbin/policy-rc.d ]]; then
		printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
		chmod 755 /usr/sbin/policy-rc.d
		CREATED_POLICY=1
	fi
	DEBIAN_FRONTEND=noninteractive apt-get update -q
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
	if ((CREATED_POLICY)); then
		rm -f /usr/sbin/policy-rc.d
		CREATED_POLICY=0
	fi
}

# --- topology -------------------------------------------------------------

NET=10.77.0
declare -A IP=([gw]=$NET.1 [web]=$NET.5 [ssh]=$NET.6 [ftp]=$NET.7 [dns]=$NET.8 [ws]=$NET.20 [atk]=$NET.25)
HOSTS=(gw web ssh ftp dns ws atk)
declare -A MAC
for h in "${HOSTS[@]}"; do MAC[$h]=$(printf '02:1a:b0:00:00:%02x' "${IP[$h]##*.}"); done
SCANNER=${IP[atk]}
DECOYS=($NET.28 $NET.29) # in the /24, never live

LABUSER=labuser
LABUID=4077
PW='Winter2024!' # the lab user's password; in hydra's list only in hydra-ssh-success

WORK=""
CAP_PID=""
CREATED_NETNS_DIR=0
CREATED_RUN_SSHD=0

lab_namespaces() { ip netns list 2>/dev/null | awk -v p="$NSP" 'index($1, p) == 1 {print $1}'; }

# kill_ns NS: end the processes in a lab namespace (all started by this
# script), then delete it; its veth pair goes with it.
kill_ns() {
	local ns=$1 pids i
	pids=$(ip netns pids "$ns" 2>/dev/null || true)
	if [[ -n $pids ]]; then
		kill $pids 2>/dev/null || true
		for i in 1 2 3 4 5 6 7 8 9 10; do
			pids=$(ip netns pids "$ns" 2>/dev/null || true)
			[[ -z $pids ]] && break
			sleep 0.2
		done
		[[ -n $pids ]] && kill -9 $pids 2>/dev/null || true
	fi
	ip netns del "$ns" 2>/dev/null || true
	rm -rf "/etc/netns/$ns"
}

clean_lab() {
	local ns
	for ns in $(lab_namespaces); do kill_ns "$ns"; done
	rm -rf /etc/netns/"$NSP"*
}

teardown() {
	local rc=$?
	set +e
	trap - EXIT INT TERM
	if [[ -n $CAP_PID ]]; then
		kill -INT "$CAP_PID" 2>/dev/null
		wait "$CAP_PID" 2>/dev/null
	fi
	clean_lab
	((CREATED_NETNS_DIR)) && rmdir /etc/netns 2>/dev/null
	((CREATED_RUN_SSHD)) && rm -rf /run/sshd
	((CREATED_POLICY)) && rm -f /usr/sbin/policy-rc.d
	[[ -n $WORK ]] && rm -rf "$WORK"
	wait 2>/dev/null
	if [[ -n $(lab_namespaces) ]]; then
		say "teardown: namespaces left behind: $(lab_namespaces | tr '\n' ' ')"
		rc=1
	fi
	say "teardown done (exit $rc)"
	exit "$rc"
}

# daemon HOST CMD...: a server in a host's namespace, in the background
daemon() {
	local h=$1
	shift
	(exec ip netns exec "$NSP$h" "$@") &
}

nsx() {
	local h=$1
	shift
	ip netns exec "$NSP$h" "$@"
}

# add_node NAME MAC [IP]: a namespace with eth0 on the switch, IPv6 off,
# resolv.conf pointing at the lab DNS. With an IP the link is up; without,
# it stays down until the scenario brings it up (a VM booting).
add_node() {
	local h=$1 mac=$2 ip=${3:-} ns=$NSP$1 port=p-$1
	ip netns add "$ns"
	ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
	ip -n "$NSP"sw link add "$port" type veth peer name eth0 netns "$ns"
	ip -n "$ns" link set eth0 address "$mac"
	ip -n "$NSP"sw link set "$port" master br0 up
	ip -n "$ns" link set lo up
	mkdir -p "/etc/netns/$ns"
	echo "nameserver ${IP[dns]}" >"/etc/netns/$ns/resolv.conf"
	if [[ -n $ip ]]; then
		ip -n "$ns" addr add "$ip/24" dev eth0
		ip -n "$ns" link set eth0 up
	fi
}

# private_accounts NS: passwd/shadow/group for the namespace, the host's plus
# the lab user; `ip netns exec` bind-mounts them over /etc, so the host's
# account files are never touched.
private_accounts() {
	local d=/etc/netns/$NSP$1 hash
	hash=$(openssl passwd -6 -salt ipslab "$PW")
	cp /etc/passwd /etc/group "$d/"
	cp -p /etc/shadow "$d/shadow"
	echo "$LABUSER:x:$LABUID:$LABUID:Lab User:$WORK/home/$LABUSER:/bin/bash" >>"$d/passwd"
	echo "$LABUSER:x:$LABUID:" >>"$d/group"
	echo "$LABUSER:$hash:19700:0:99999:7:::" >>"$d/shadow"
}

wait_listen() { # HOST tcp|udp PORT
	local i flag=-ltn
	[[ $2 == udp ]] && flag=-lun
	for i in $(seq 50); do
		nsx "$1" ss -H "$flag" "sport = :$3" 2>/dev/null | grep -q . && return 0
		sleep 0.1
	done
	die "$1: nothing listening on $2/$3 (see $WORK/logs)"
}

start_services() {
	local L=$WORK/logs
	mkdir -p "$L" "$WORK/www/css" "$WORK/www/img" "$WORK/www/docs" "$WORK/home/$LABUSER" "$WORK/vsftpd-empty" "$WORK/sshd"
	# web
	local p
	for p in index about news contact; do
		printf '<!doctype html><html><head><title>%s</title><link rel="stylesheet" href="/css/site.css"></head><body><h1>Lab intranet: %s</h1><p><a href="/index.html">home</a> <a href="/about.html">about</a> <a href="/news.html">news</a></p><img src="/img/logo.png"></body></html>\n' "$p" "$p" >"$WORK/www/$p.html"
	done
	printf 'body{font-family:sans-serif;margin:2em}h1{color:#235}\n' >"$WORK/www/css/site.css"
	head -c 3000 /usr/share/pixmaps/debian-logo.png >"$WORK/www/img/logo.png" 2>/dev/null || head -c 3000 /dev/urandom >"$WORK/www/img/logo.png"
	seq 1 400 | sed 's/^/manual line /' >"$WORK/www/docs/manual.txt"
	daemon web "$PY" -m http.server 80 --bind "${IP[web]}" --directory "$WORK/www" >"$L/web.log" 2>&1
	# accounts for ssh and ftp/telnet
	echo "hello from the lab file server" >"$WORK/home/$LABUSER/readme.txt"
	seq 1 2000 | sed 's/^/report line /' >"$WORK/home/$LABUSER/report.txt"
	chown -R "$LABUID:$LABUID" "$WORK/home/$LABUSER"
	private_accounts ssh
	private_accounts ftp
	# sshd: own config and host keys
	ssh-keygen -q -t ed25519 -N '' -f "$WORK/sshd/ssh_host_ed25519_key"
	ssh-keygen -q -t rsa -b 2048 -N '' -f "$WORK/sshd/ssh_host_rsa_key"
	cat >"$WORK/sshd/sshd_config" <<-EOF
		Port 22
		ListenAddress ${IP[ssh]}
		HostKey $WORK/sshd/ssh_host_ed25519_key
		HostKey $WORK/sshd/ssh_host_rsa_key
		PidFile $WORK/sshd/sshd.pid
		UsePAM no
		PasswordAuthentication yes
		KbdInteractiveAuthentication no
		PermitRootLogin no
		AllowUsers $LABUSER
		MaxStartups 100:30:200
		UseDNS no
		PrintMotd no
		PrintLastLog no
	EOF
	nsx ssh /usr/sbin/sshd -t -f "$WORK/sshd/sshd_config"
	daemon ssh /usr/sbin/sshd -D -e -f "$WORK/sshd/sshd_config" >"$L/sshd.log" 2>&1
	# vsftpd (PAM, local users from the private passwd/shadow)
	cat >"$WORK/vsftpd.conf" <<-EOF
		listen=YES
		listen_ipv6=NO
		listen_address=${IP[ftp]}
		background=NO
		anonymous_enable=NO
		local_enable=YES
		write_enable=NO
		pam_service_name=vsftpd
		secure_chroot_dir=$WORK/vsftpd-empty
		seccomp_sandbox=NO
		xferlog_enable=YES
		vsftpd_log_file=$L/vsftpd.log
		pasv_enable=YES
		pasv_min_port=40000
		pasv_max_port=40009
	EOF
	daemon ftp vsftpd "$WORK/vsftpd.conf" >"$L/vsftpd.out" 2>&1
	# telnetd under inetd, on the same box
	echo "telnet stream tcp nowait root /usr/sbin/telnetd telnetd" >"$WORK/inetd.conf"
	daemon ftp /usr/sbin/inetutils-inetd -d --pidfile="$WORK/inetd.pid" "$WORK/inetd.conf" >"$L/inetd.log" 2>&1
	# DNS and NTP
	daemon dns dnsmasq --keep-in-foreground --conf-file=/dev/null --listen-address="${IP[dns]}" --bind-interfaces \
		--no-resolv --no-hosts --domain=lab.test --local=/lab.test/ \
		--host-record=gw.lab.test,${IP[gw]} --host-record=www.lab.test,${IP[web]} --host-record=ssh.lab.test,${IP[ssh]} \
		--host-record=ftp.lab.test,${IP[ftp]} --host-record=ns.lab.test,${IP[dns]} --host-record=ws.lab.test,${IP[ws]} \
		--pid-file="$WORK/dnsmasq.pid" --log-queries --log-facility=- >"$L/dnsmasq.log" 2>&1
	cat >"$WORK/chrony-server.conf" <<-EOF
		local stratum 8
		allow $NET.0/24
		bindaddress ${IP[dns]}
		cmdport 0
		bindcmdaddress /
		pidfile $WORK/chronyd-server.pid
	EOF
	# -x: serve time, never touch the (shared) system clock
	daemon dns chronyd -d -x -u root -f "$WORK/chrony-server.conf" >"$L/chronyd.log" 2>&1
	wait_listen web tcp 80
	wait_listen ssh tcp 22
	wait_listen ftp tcp 21
	wait_listen ftp tcp 23
	wait_listen dns udp 53
	wait_listen dns udp 123
}

# verify_hub: one tcpdump on the bridge sees unicast between two other
# hosts, and so does a third host (the bridge floods every frame).
verify_hub() {
	local f=$WORK/hub.pcap g=$WORK/hub3.pcap p q n m flt
	flt="icmp and host ${IP[ws]} and host ${IP[web]}"
	ip netns exec "$NSP"sw tcpdump -i br0 -U --immediate-mode -Z root -n -w "$f" "$flt" 2>/dev/null &
	p=$!
	ip netns exec "$NSP"atk tcpdump -i eth0 -U --immediate-mode -Z root -n -w "$g" "$flt" 2>/dev/null &
	q=$!
	sleep 1
	nsx ws ping -q -c 3 -i 0.2 "${IP[web]}" >/dev/null
	sleep 1
	kill -INT "$p" "$q"
	wait "$p" "$q" || true
	n=$(tcpdump -nr "$f" 2>/dev/null | wc -l)
	m=$(tcpdump -nr "$g" 2>/dev/null | wc -l)
	((n >= 6)) || die "the capture on br0 saw $n of 6 ICMP packets between ws and web"
	((m >= 6)) || die "bridge not in hub mode: a third host saw $m of 6 unicast ICMP packets between ws and web"
	say "hub mode verified: br0 saw $n, the scanner's eth0 saw $m unicast frames between ${IP[ws]} and ${IP[web]}"
}

setup_lab() {
	WORK=$(mktemp -d /tmp/ipsl.XXXXXX)
	chmod 755 "$WORK"
	if [[ ! -d /etc/netns ]]; then
		mkdir /etc/netns
		CREATED_NETNS_DIR=1
	fi
	if [[ ! -d /run/sshd ]]; then
		mkdir -m 755 /run/sshd
		CREATED_RUN_SSHD=1
	fi
	local sw=${NSP}sw h
	ip netns add "$sw"
	ip netns exec "$sw" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
	# hub mode: ageing_time 0 forgets every MAC at once, so every frame floods
	ip -n "$sw" link add br0 type bridge stp_state 0 ageing_time 0 mcast_snooping 0
	ip -n "$sw" link set br0 up
	for h in "${HOSTS[@]}"; do add_node "$h" "${MAC[$h]}" "${IP[$h]}"; done
	nsx gw sysctl -qw net.ipv4.ip_forward=1
	start_services
	verify_hub
	ip -n "$sw" route show | grep -q . && die "unexpected route in the switch namespace"
	for h in "${HOSTS[@]}"; do
		nsx "$h" ip route show | grep -q '^default' && die "$h has a default route"
	done
	return 0
}

# --- scenario framework ---------------------------------------------------

NAME=""
TXT=""
PCAP=""
STEP=0
RC=0
OUTF=""
SOFT_FAILED=()
DONE=()

log() { printf '%s\n' "$*" >>"$TXT"; }
# quote ARG...: a command line as one would type it
quote() {
	local a out="" sq="'\\''"
	for a in "$@"; do
		if [[ $a =~ ^[A-Za-z0-9_./:@,=+%^-]+$ ]]; then
			out+="$a "
		else
			out+="'${a//\'/$sq}' "
		fi
	done
	printf '%s' "${out% }"
}
# trim: a tool's output for the provenance file: no colours or progress
# lines, at most 60 lines (head and tail), indented
trim() {
	sed -e 's/\x1b\[[0-9;?]*[A-Za-z]//g' -e 's/\r/\n/g' | sed -e '/^[[:space:]]*$/d' -e '/^ *rate: /d' |
		awk '{l[NR]=$0} END{ if (NR <= 60) { for (i = 1; i <= NR; i++) print "    " l[i] }
		else { for (i = 1; i <= 40; i++) print "    " l[i]; print "    [... " NR - 55 " lines left out ...]";
		for (i = NR - 14; i <= NR; i++) print "    " l[i] } }'
}
# sha_is MAC: the ARP sender hardware address is MAC
sha_is() {
	local m=${1//:/}
	printf 'arp[8:4] == 0x%s and arp[12:2] == 0x%s' "${m:0:8}" "${m:8:4}"
}
hexip() {
	local IFS=.
	set -- $1
	printf '0x%02x%02x%02x%02x' "$1" "$2" "$3" "$4"
}

wanted() { [[ -z $ONLY ]] || [[ " ${ONLY//,/ } " == *" $1 "* ]]; }

# begin NAME "what it is" PACKAGE...: a scenario's provenance header; the
# capture starts with cap_start.
begin() {
	NAME=$1
	TXT=$WORK/$NAME.lab.txt
	PCAP=$WORK/$NAME.pcap
	STEP=0
	say "scenario $NAME"
	local h pk
	for h in $(lab_namespaces); do
		[[ $h == "${NSP}sw" ]] || ip -n "$h" neigh flush all 2>/dev/null || true
	done
	{
		echo "# $NAME: $2"
		echo "#"
		echo "# Made by pcaps/lab/lab.sh ($(date -u +%F), Linux $(uname -r), Debian $(cat /etc/debian_version)) on the lab LAN"
		echo "# $NET.0/24 (pcaps/lab/README.md). Neighbour caches were flushed before the capture."
		shift 2
		for pk in "$@"; do echo "# $(dpkg-query -W -f='${Package} ${Version}' "$pk" 2>/dev/null || echo "$pk ?")"; done
		echo
		echo "## commands and their output (trimmed)"
	} >"$TXT"
}

cap_start() {
	local i
	log ""
	log "\$ ip netns exec ${NSP}sw tcpdump -i br0 -U --immediate-mode -w $NAME.pcap &   # the switch's view of every frame"
	ip netns exec "$NSP"sw tcpdump -i br0 -U --immediate-mode -B 32768 -Z root -n -w "$PCAP" 2>"$WORK/$NAME.tcpdump.log" &
	CAP_PID=$!
	for i in $(seq 50); do
		grep -q 'listening on' "$WORK/$NAME.tcpdump.log" 2>/dev/null && break
		sleep 0.1
	done
	kill -0 "$CAP_PID" 2>/dev/null || die "$NAME: tcpdump did not start: $(tail -3 "$WORK/$NAME.tcpdump.log" | tr '\n' ' ')"
	sleep 0.5
}

# cap_stop [SECONDS]: let trailing replies and kernel ARP retries land, stop
# the capture.
cap_stop() {
	sleep "${1:-3}"
	kill -INT "$CAP_PID" 2>/dev/null ||
		die "$NAME: tcpdump stopped before the scenario ended: $(tail -3 "$WORK/$NAME.tcpdump.log" | tr '\n' ' ')"
	wait "$CAP_PID" || true
	CAP_PID=""
	log "(tcpdump stopped: $(grep -E 'packets (captured|received|dropped)' "$WORK/$NAME.tcpdump.log" | tr '\n' ';' || echo '?'))"
	local dropped
	dropped=$(awk '/packets dropped by kernel/ {print $1}' "$WORK/$NAME.tcpdump.log")
	[[ ${dropped:-0} == 0 ]] || die "$NAME: tcpdump dropped $dropped packets; the capture would not be what the tools sent"
	log ""
	log "## ground truth, counted over the capture (tcpdump -nr $NAME.pcap FILTER | wc -l)"
	log "  capture: $(capinfos -c -u -M "$PCAP" 2>/dev/null | awk -F': *' '/Number of packets|Capture duration/ {printf "%s: %s; ", $1, $2}')"
}

# who HOST: how the provenance names a host
who() { if [[ -n ${IP[$1]:-} ]]; then echo "$1 ${IP[$1]}"; else echo "$1"; fi; }

# run HOST CMD...: a tool in a host's namespace; command line and trimmed
# output go to the provenance, the full output to $OUTF, the status to $RC.
run() {
	local h=$1
	shift
	STEP=$((STEP + 1))
	OUTF=$WORK/$NAME.$STEP.out
	log ""
	log "[$(who "$h")] \$ ip netns exec $NSP$h $(quote "$@")"
	RC=0
	(cd "$WORK" && exec ip netns exec "$NSP$h" "$@") >"$OUTF" 2>&1 || RC=$?
	trim <"$OUTF" >>"$TXT"
	log "    [exit status $RC]"
}

# bg HOST CMD...: the same in the background; bgwait PID FILE collects it.
BGPID=""
BGOUT=""
bg() {
	local h=$1
	shift
	STEP=$((STEP + 1))
	BGOUT=$WORK/$NAME.$STEP.out
	log ""
	log "[$(who "$h")] \$ ip netns exec $NSP$h $(quote "$@") &"
	(cd "$WORK" && exec ip netns exec "$NSP$h" "$@") >"$BGOUT" 2>&1 &
	BGPID=$!
}
bgwait() {
	local rc=0
	wait "$1" || rc=$?
	log ""
	log "[background step $(basename "$2" .out | sed 's/.*\.//'), finished] output:"
	trim <"$2" >>"$TXT"
	log "    [exit status $rc]"
	RC=$rc
}

# counting over the capture
pkts() { tcpdump -nr "$PCAP" "$1" 2>/dev/null | wc -l; }
# gt LABEL FILTER: count packets matching a filter, record it
gt() {
	local c
	c=$(pkts "$2")
	printf '  %-58s %6d   %s\n' "$1:" "$c" "'$2'" >>"$TXT"
	echo "$c"
}
# gtd LABEL FILTER KIND: distinct values among matching packets; KIND is
# dst-ip, src-ip, dst-port or arp-target
gtd() {
	local prog c
	case $3 in
	dst-ip) prog='{d=$4; sub(/:$/,"",d); split(d,a,"."); print a[1]"."a[2]"."a[3]"."a[4]}' ;;
	src-ip) prog='{d=$2; split(d,a,"."); print a[1]"."a[2]"."a[3]"."a[4]}' ;;
	src-port) prog='{d=$2; n=split(d,a,"."); if (n==5) print a[5]}' ;;
	dst-port) prog='{d=$4; sub(/:$/,"",d); n=split(d,a,"."); if (n==5) print a[5]}' ;;
	arp-target) prog='{for (i=1; i<NF; i++) if ($i=="who-has") {print $(i+1); break}}' ;;
	*) die "gtd: kind $3" ;;
	esac
	c=$(tcpdump -tnr "$PCAP" "$2" 2>/dev/null | awk "$prog" | sort -u | wc -l)
	printf '  %-58s %6d   %s\n' "$1 (distinct $3):" "$c" "'$2'" >>"$TXT"
	echo "$c"
}
# gtlist FILTER KIND: the distinct values themselves, space separated
gtlist() {
	local prog
	case $2 in
	dst-ip) prog='{d=$4; sub(/:$/,"",d); split(d,a,"."); print a[1]"."a[2]"."a[3]"."a[4]}' ;;
	src-ip) prog='{d=$2; split(d,a,"."); print a[1]"."a[2]"."a[3]"."a[4]}' ;;
	arp-target) prog='{for (i=1; i<NF; i++) if ($i=="who-has") {print $(i+1); break}}' ;;
	esac
	tcpdump -tnr "$PCAP" "$1" 2>/dev/null | awk "$prog" | sort -t. -k4,4n -u | tr '\n' ' '
}
# gtpay LABEL FILTER TEXT: payload lines containing TEXT in matching packets
gtpay() {
	local c
	c=$({ tcpdump -q -nr "$PCAP" -A "$2" 2>/dev/null | grep -c -- "$3"; } || true)
	printf '  %-58s %6d   %s\n' "$1:" "$c" "-q -A '$2' | grep -c '$3'" >>"$TXT"
	echo "$c"
}
note() { log "  $*"; }

# log offsets, to read what a server logged during one scenario
declare -A MARK
mark_logs() {
	local f
	for f in sshd.log vsftpd.log; do
		MARK[$f]=0
		if [[ -f $WORK/logs/$f ]]; then MARK[$f]=$(wc -l <"$WORK/logs/$f"); fi
	done
}
newlog() { tail -n +"$((${MARK[$1]:-0} + 1))" "$WORK/logs/$1"; }
# srvlog LABEL FILE REGEX: matching server log lines during this scenario
srvlog() {
	local c
	c=$({ newlog "$2" | grep -c -- "$3"; } || true)
	printf '  %-58s %6d   %s\n' "$1:" "$c" "$2: grep -c '$3'" >>"$TXT"
	echo "$c"
}

SYN="tcp[tcpflags] & (tcp-syn|tcp-ack) == tcp-syn"
SYNACK="tcp[tcpflags] & (tcp-syn|tcp-ack) == (tcp-syn|tcp-ack)"
RST="tcp[tcpflags] & tcp-rst != 0"
ARPREQ="arp[6:2] == 1"
ARPREP="arp[6:2] == 2"
ECHO="icmp[icmptype] == icmp-echo"
ECHOREP="icmp[icmptype] == icmp-echoreply"
PORTUNR="icmp[icmptype] == icmp-unreach and icmp[icmpcode] == 3"
PAYLOAD="(ip[2:2] - ((ip[0]&0xf)<<2) - ((tcp[12]&0xf0)>>2)) > 0"

# expect ITEM...: write the expectation (items as expect.py takes them)
expect() {
	"$PY" "$LAB_DIR/expect.py" "$WORK/$NAME.expect.json" "$@"
	log ""
	log "## expectation ($NAME.expect.json)"
	log "  $(quote "$@")"
}
why() { log "  because: $*"; }

publish() {
	[[ -s $PCAP && -s $WORK/$NAME.expect.json ]] || die "$NAME: capture or expectation missing"
	log ""
	log "## files"
	log "  $NAME.pcap ($(stat -c %s "$PCAP") bytes), $NAME.expect.json, $NAME.lab.txt"
	install -m 644 "$PCAP" "$OUT/$NAME.pcap"
	install -m 644 "$WORK/$NAME.expect.json" "$OUT/$NAME.expect.json"
	install -m 644 "$TXT" "$OUT/$NAME.lab.txt"
	DONE+=("$NAME")
	say "  -> $NAME.pcap $(stat -c %s "$PCAP") bytes, $(pkts '') packets"
}

# soft_fail REASON: an optional scenario that did not work this time; its
# files (if committed before) are left as they are
soft_fail() {
	say "WARNING: $NAME not written: $*"
	SOFT_FAILED+=("$NAME: $*")
	if [[ -n $CAP_PID ]]; then
		kill -INT "$CAP_PID" 2>/dev/null || true
		wait "$CAP_PID" 2>/dev/null || true
		CAP_PID=""
	fi
}

need() { # CONDITION-TEXT VALUE MIN: a tool did what the scenario needs, or stop
	(($2 >= $3)) || die "$NAME: $1 is $2, want at least $3: the tool did not do its job; no expectation written"
}

# the scanner scanned: what every nmap/masscan/zmap scenario expects. HOSTS
# is how many hosts its port probes reached (counted by filter): a scan of
# one host, or host discovery alone, is also what an intruder's lateral
# reconnaissance looks like, so the scanner is not excused for it (README:
# a host whose probes reached a single host stays under investigation);
# port probes of several hosts make it a likely false positive.
expect_scanner() { # PROBES HOSTS
	need "probes sent by the scanner" "$1" 1
	why "the scanner $SCANNER (internal, $NET.0/24) ran the scan above and sent $1 probes: 9000002 Attack: Port Scan (which"
	why "covers host-discovery sweeps) by $SCANNER, autoblocked"
	if (($2 >= 2)); then
		why "its port probes reached $2 hosts: an internal host that only scans many hosts is a likely false positive, verdict scanner"
		expect "sig=9000002:min=1:attackers=$SCANNER" "blocked=$SCANNER" "fp=$SCANNER:scanner"
	else
		why "its port probes reached $2 host(s): one target, or host discovery alone, looks like lateral reconnaissance too: not excused"
		expect "sig=9000002:min=1:attackers=$SCANNER" "blocked=$SCANNER" "fp="
	fi
}

nmap_done() { grep -E '^Nmap done' "$OUTF" | tail -1; }
need_nmap() {
	((RC == 0)) || die "$NAME: nmap exited $RC"
	grep -q '^Nmap done' "$OUTF" || die "$NAME: nmap did not finish"
	note "nmap: $(nmap_done)"
}

# --- scenarios: nmap --------------------------------------------------------

A=${MAC[atk]}

sc_nmap_sS() {
	local t=${IP[ftp]}
	begin nmap-sS "nmap SYN scan, top 1000 TCP ports, of one host ($t) from the scanner" nmap
	cap_start
	run atk nmap -sS -n -T4 "$t"
	cap_stop
	need_nmap
	local s p
	s=$(gt "SYN probes from the scanner MAC to $t" "ether src $A and dst host $t and $SYN")
	p=$(gtd "  ports probed" "ether src $A and dst host $t and $SYN" dst-port)
	gt "RST answers from $t (closed ports)" "src host $t and dst host $SCANNER and $RST" >/dev/null
	gt "SYN-ACK answers from $t (open ports)" "src host $t and $SYNACK" >/dev/null
	gt "RSTs from the scanner after a SYN-ACK (half-open)" "ether src $A and $RST" >/dev/null
	expect_scanner "$s" 1
	publish
}

sc_nmap_sT() {
	local t=${IP[ftp]}
	begin nmap-sT "nmap connect() scan, top 1000 TCP ports, of one host ($t)" nmap
	cap_start
	run atk nmap -sT -n -T4 "$t"
	cap_stop
	need_nmap
	local s
	s=$(gt "connection attempts (SYN) from the scanner to $t" "ether src $A and dst host $t and $SYN")
	gtd "  ports tried" "ether src $A and dst host $t and $SYN" dst-port >/dev/null
	gt "RST answers from $t (closed ports)" "src host $t and $RST" >/dev/null
	gt "SYN-ACK answers from $t (open ports)" "src host $t and $SYNACK" >/dev/null
	expect_scanner "$s" 1
	publish
}

sc_nmap_sU() {
	local t=${IP[dns]}
	begin nmap-sU "nmap UDP scan, top 20 UDP ports, of one host ($t, DNS and NTP); Linux rate-limits the ICMP port unreachables" nmap
	cap_start
	run atk nmap -sU -n --top-ports 20 --max-retries 1 --host-timeout 90s "$t"
	cap_stop
	need_nmap
	local s
	s=$(gt "UDP probes from the scanner to $t" "ether src $A and udp and dst host $t")
	gtd "  ports probed" "ether src $A and udp and dst host $t" dst-port >/dev/null
	gt "ICMP port unreachable from $t (closed ports)" "src host $t and $PORTUNR" >/dev/null
	gt "UDP answers from $t (open ports)" "udp and src host $t" >/dev/null
	expect_scanner "$s" 1
	publish
}

sc_nmap_sn_arp() {
	begin nmap-sn-arp "nmap host discovery (-sn) of $NET.1-30: on a LAN nmap asks by ARP only" nmap
	cap_start
	run atk nmap -sn -n "$NET.1-30"
	cap_stop
	need_nmap
	local r d a
	r=$(gt "ARP who-has from the scanner MAC" "ether src $A and $ARPREQ")
	d=$(gtd "  addresses asked for" "ether src $A and $ARPREQ" arp-target)
	a=$(gt "ARP replies to the scanner (hosts that answered)" "ether dst $A and $ARPREP")
	note "addresses asked for: $(gtlist "ether src $A and $ARPREQ" arp-target)"
	gt "IP packets from the scanner" "ether src $A and ip" >/dev/null
	need "distinct addresses asked for" "$d" 25
	expect_scanner "$r" 0
	publish
}

sc_nmap_sn_icmp() {
	begin nmap-sn-icmp "nmap ICMP echo host discovery (-sn -PE --send-ip) of $NET.1-30: raw IP, so the kernel ARPs for each address and only live hosts get the echo" nmap
	cap_start
	run atk nmap -sn -PE --send-ip -n "$NET.1-30"
	cap_stop
	need_nmap
	local e d r
	e=$(gt "ICMP echo requests from the scanner" "ether src $A and $ECHO")
	gtd "  addresses pinged" "ether src $A and $ECHO" dst-ip >/dev/null
	gt "ICMP echo replies to the scanner" "dst host $SCANNER and $ECHOREP" >/dev/null
	r=$(gt "ARP who-has from the scanner MAC (the kernel resolving each address)" "ether src $A and $ARPREQ")
	d=$(gtd "  addresses asked for" "ether src $A and $ARPREQ" arp-target)
	need "distinct addresses asked for" "$d" 25
	expect_scanner "$((e + r))" 0
	publish
}

sc_nmap_sweep5() {
	begin nmap-sweep5 "nmap SYN sweep of 5 ports (22,80,443,445,3389) over $NET.1-30: ARP ping first, then SYNs to the live hosts only" nmap
	cap_start
	run atk nmap -sS -n -T4 -p 22,80,443,445,3389 "$NET.1-30"
	cap_stop
	need_nmap
	local s d h
	gt "ARP who-has from the scanner MAC" "ether src $A and $ARPREQ" >/dev/null
	d=$(gtd "  addresses asked for" "ether src $A and $ARPREQ" arp-target)
	gt "ARP replies to the scanner (live hosts)" "ether dst $A and $ARPREP" >/dev/null
	s=$(gt "SYN probes from the scanner" "ether src $A and $SYN")
	h=$(gtd "  hosts probed" "ether src $A and $SYN" dst-ip)
	gtd "  ports probed" "ether src $A and $SYN" dst-port >/dev/null
	gt "SYN-ACK answers (open)" "dst host $SCANNER and $SYNACK" >/dev/null
	gt "RST answers (closed)" "dst host $SCANNER and $RST" >/dev/null
	need "distinct addresses asked for" "$d" 25
	expect_scanner "$s" "$h"
	publish
}

sc_nmap_sV() {
	local t=${IP[ftp]}
	begin nmap-sV "nmap service/version detection (-sV --version-light) of one host ($t: ftp, telnet)" nmap
	cap_start
	run atk nmap -sV --version-light -n -T4 "$t"
	cap_stop
	need_nmap
	local s
	s=$(gt "SYN probes from the scanner to $t" "ether src $A and dst host $t and $SYN")
	gtd "  ports probed" "ether src $A and dst host $t and $SYN" dst-port >/dev/null
	gt "service probes (scanner TCP segments with payload)" "ether src $A and tcp and $PAYLOAD" >/dev/null
	expect_scanner "$s" 1
	publish
}

sc_nmap_O() {
	local t=${IP[ssh]}
	begin nmap-O "nmap OS detection (-O) of one host ($t), with its SYN scan of the top 1000 ports" nmap
	cap_start
	run atk nmap -O -n -T4 "$t"
	cap_stop
	need_nmap
	local s
	s=$(gt "SYN probes from the scanner to $t" "ether src $A and dst host $t and $SYN")
	gtd "  ports probed" "ether src $A and dst host $t and $SYN" dst-port >/dev/null
	gt "OS probes: TCP without SYN-only (T2-T7, ECN...)" "ether src $A and tcp and not ($SYN) and not ($RST)" >/dev/null
	gt "OS probes: UDP (U1) and ICMP echo (IE)" "ether src $A and (udp or $ECHO)" >/dev/null
	expect_scanner "$s" 1
	publish
}

sc_nmap_slow() {
	local t=${IP[web]}
	begin nmap-slow "slow nmap SYN scan: 20 ports of one host ($t), 2 s between probes" nmap
	cap_start
	run atk nmap -sS -n --scan-delay 2s --top-ports 20 "$t"
	cap_stop
	need_nmap
	local s
	s=$(gt "SYN probes from the scanner to $t" "ether src $A and dst host $t and $SYN")
	gtd "  ports probed" "ether src $A and dst host $t and $SYN" dst-port >/dev/null
	note "probe times (s from the first): $(tcpdump -ttnr "$PCAP" "ether src $A and dst host $t and $SYN" 2>/dev/null | awk 'NR==1{t0=$1} {printf "%.0f ", $1-t0}')"
	expect_scanner "$s" 1
	publish
}

sc_nmap_decoy() {
	local t=${IP[ssh]} d1=${DECOYS[0]} d2=${DECOYS[1]}
	begin nmap-decoy "nmap SYN scan of one host ($t) with decoys $d1 and $d2 (in the /24, not live): each probe is sent from the three addresses" nmap
	cap_start
	run atk nmap -sS -n -T4 -D "$d1,$d2,ME" "$t"
	cap_stop
	need_nmap
	local s src n0 n1 n2
	s=$(gt "SYN probes from the scanner MAC to $t, all sources" "ether src $A and dst host $t and $SYN")
	n0=$(gtd "  ports probed from $SCANNER" "ether src $A and src host $SCANNER and dst host $t and $SYN" dst-port)
	n1=$(gtd "  ports probed from $d1 (decoy)" "ether src $A and src host $d1 and dst host $t and $SYN" dst-port)
	n2=$(gtd "  ports probed from $d2 (decoy)" "ether src $A and src host $d2 and dst host $t and $SYN" dst-port)
	gt "ARP who-has from $t for the decoys (their answers go nowhere)" "ether src ${MAC[ssh]} and $ARPREQ and (arp[24:4] == $(hexip "$d1") or arp[24:4] == $(hexip "$d2"))" >/dev/null
	need "ports probed from $d1" "$n1" "$n0"
	need "ports probed from $d2" "$n2" "$n0"
	need "SYN probes" "$s" 1
	why "each of $SCANNER, $d1 and $d2 sent the same full SYN scan of $t ($n0, $n1, $n2 ports): three scanning sources"
	why "all three are blocked; which one is the real scanner is not in the packets' addresses, so false positives are left unchecked"
	expect "sig=9000002:min=1:attackers=$SCANNER,$d1,$d2" "blocked=$SCANNER,$d1,$d2"
	publish
}

sc_scanner_internal() {
	local t="${IP[web]} ${IP[ssh]} ${IP[ftp]} ${IP[dns]}"
	begin scanner-internal "an internal vulnerability scan: nmap -sV --version-light --top-ports 100 against the four servers (reverse DNS through the lab DNS)" nmap
	cap_start
	run atk nmap -sV --version-light --top-ports 100 $t
	cap_stop
	need_nmap
	local s h
	s=$(gt "SYN probes from the scanner" "ether src $A and $SYN")
	for h in $t; do gtd "  ports probed on $h" "ether src $A and dst host $h and $SYN" dst-port >/dev/null; done
	gt "service probes (scanner TCP segments with payload)" "ether src $A and tcp and $PAYLOAD" >/dev/null
	gtpay "  of them nmap's HTTP probe (GET / HTTP/1.0)" "ether src $A and tcp and $PAYLOAD" "GET / HTTP/1.0" >/dev/null
	gt "DNS queries from the scanner (reverse lookups)" "ether src $A and udp dst port 53" >/dev/null
	need "SYN probes" "$s" 1
	why "an internal host running a version scan of the four servers and doing nothing else is what exclusions are for:"
	why "verdict scanner at medium confidence or more, so \`exclusions suggest\` (default medium) lists it (issue 11)"
	expect "sig=9000002:min=1:attackers=$SCANNER" "blocked=$SCANNER" "fp=$SCANNER:scanner:medium"
	publish
}

# --- scenarios: masscan, zmap ---------------------------------------------

sc_masscan() {
	begin masscan "masscan SYN sweep of 5 ports over $NET.1-30 at 100 packets/s; masscan sends every probe to the router's MAC (--router-ip $NET.1), which forwards on the LAN" masscan
	cap_start
	# masscan 1.3.2 now and then never exits after its --wait (its threads
	# deadlock; SIGINT does not help): bounded, and judged by what it sent
	run atk timeout -k 5 30 masscan "$NET.1-$NET.30" -p 22,80,443,445,3389 --rate 100 -e eth0 --router-ip "${IP[gw]}" --wait 3 -oL "$WORK/masscan.txt"
	log "    masscan -oL:"
	trim <"$WORK/masscan.txt" >>"$TXT" 2>/dev/null || true
	cap_stop
	local s h na np
	s=$(gt "SYN probes from the scanner MAC (to the router's MAC)" "ether src $A and $SYN")
	na=$(gtd "  addresses probed" "ether src $A and $SYN" dst-ip)
	np=$(gtd "  ports probed" "ether src $A and $SYN" dst-port)
	if ((RC != 0)); then
		tr '\r' '\n' <"$OUTF" | grep -q '100.00% done' || die "$NAME: masscan exited $RC before finishing its scan"
		note "masscan finished its scan (100.00% done) but hung afterwards and was stopped by timeout (exit $RC)"
	fi
	need "addresses probed" "$na" 30
	need "ports probed" "$np" 5
	gt "probes the router forwarded (same IP source, router MAC)" "ether src ${MAC[gw]} and src host $SCANNER and $SYN" >/dev/null
	h=$(gtd "  hosts they reached" "ether src ${MAC[gw]} and src host $SCANNER and $SYN" dst-ip)
	gt "router ARP who-has while forwarding (not a scan of its own)" "ether src ${MAC[gw]} and $ARPREQ" >/dev/null
	gt "SYN-ACK answers to the scanner" "dst host $SCANNER and $SYNACK" >/dev/null
	note "the router resolves each address it forwards to: the ARP requests from $NET.1 are the scanner's doing, not the router's"
	expect_scanner "$s" "$h"
	publish
}

sc_zmap() {
	begin zmap "zmap sweep of port 80 over $NET.0/27 at 100 packets/s, through the router's MAC" zmap
	echo "# lab: nothing blocked" >"$WORK/zmap-blocklist.conf"
	cap_start
	run atk timeout -k 5 40 zmap -p 80 -i eth0 -G "${MAC[gw]}" -S "$SCANNER" -r 100 -c 3 -b "$WORK/zmap-blocklist.conf" -o "$WORK/zmap.csv" "$NET.0/27"
	log "    zmap -o (hosts answering):"
	trim <"$WORK/zmap.csv" >>"$TXT"
	cap_stop
	if ((RC != 0)); then
		soft_fail "zmap exited $RC"
		return 0
	fi
	local s h
	s=$(gt "SYN probes from the scanner MAC" "ether src $A and $SYN")
	gtd "  addresses probed" "ether src $A and $SYN" dst-ip >/dev/null
	gt "probes the router forwarded" "ether src ${MAC[gw]} and src host $SCANNER and $SYN" >/dev/null
	h=$(gtd "  hosts they reached" "ether src ${MAC[gw]} and src host $SCANNER and $SYN" dst-ip)
	gt "SYN-ACK answers to the scanner" "dst host $SCANNER and $SYNACK" >/dev/null
	expect_scanner "$s" "$h"
	publish
}

# --- scenarios: hping3 ------------------------------------------------------

sc_hping3_synflood() {
	local t=${IP[web]}
	begin hping3-synflood "hping3 SYN flood of $t:80 from the attacker's own address, 3000 SYNs" hping3
	cap_start
	run atk hping3 -q -S -p 80 -c 3000 -i u200 "$t"
	cap_stop
	local s
	s=$(gt "SYNs from $SCANNER to $t:80" "src host $SCANNER and dst host $t and dst port 80 and $SYN")
	gtd "  source ports" "src host $SCANNER and dst host $t and dst port 80 and $SYN" src-port >/dev/null
	gt "SYN-ACKs from $t" "src host $t and $SYNACK" >/dev/null
	gt "RSTs from $SCANNER (its kernel knows no such connection)" "src host $SCANNER and $RST" >/dev/null
	note "hping3: $(grep -E 'packets transmitted' "$OUTF" || echo '?')"
	need "SYNs sent" "$s" 1000
	why "$SCANNER sent $s SYNs to one service, $t:80, none completing a handshake: a SYN flood (9000001) by $SCANNER, blocked, no false positive"
	expect "sig=9000001:min=1:attackers=$SCANNER" "blocked=$SCANNER" "fp="
	publish
}

sc_hping3_randsrc() {
	local t=${IP[web]}
	begin hping3-synflood-randsrc "hping3 SYN flood of $t:80 with random (spoofed) source addresses, 3000 SYNs" hping3
	cap_start
	run atk hping3 -q -S -p 80 -c 3000 -i u200 --rand-source "$t"
	cap_stop
	local s n
	s=$(gt "SYNs to $t:80 (all from the attacker's MAC)" "ether src $A and dst host $t and dst port 80 and $SYN")
	n=$(gtd "  source addresses" "ether src $A and dst host $t and dst port 80 and $SYN" src-ip)
	gt "SYN-ACKs from $t (no route back to the spoofed sources)" "src host $t and $SYNACK" >/dev/null
	note "hping3: $(grep -E 'packets transmitted' "$OUTF" || echo '?')"
	need "SYNs sent" "$s" 1000
	need "distinct source addresses" "$n" 1000
	why "$s SYNs to $t:80 from $n different (spoofed) addresses: a SYN flood (9000001) on victim $t; spoofed sources are nobody to block"
	expect "sig=9000001:min=1:victims=$t" "blocked=" "fp="
	publish
}

# --- scenarios: ARP poisoning -----------------------------------------------

# arp_truth: what the poisoner did, counted
arp_truth() {
	local gw=${IP[gw]} ws=${IP[ws]} c1 c2
	c1=$(gt "ARP replies from the attacker MAC claiming $gw, to $ws" "ether src $A and ether dst ${MAC[ws]} and $ARPREP and arp[14:4] == $(hexip "$gw") and $(sha_is "$A")")
	c2=$(gt "ARP replies from the attacker MAC claiming $ws, to $gw" "ether src $A and ether dst ${MAC[gw]} and $ARPREP and arp[14:4] == $(hexip "$ws") and $(sha_is "$A")")
	gt "  restoring replies afterwards (true MACs, sent by the attacker)" "ether src $A and $ARPREP and not ($(sha_is "$A"))" >/dev/null
	gt "echo requests $ws -> $gw that went to the attacker's MAC" "ether src ${MAC[ws]} and ether dst $A and dst host $gw and $ECHO" >/dev/null
	gt "echo requests $ws -> $gw that went to the gateway's MAC" "ether src ${MAC[ws]} and ether dst ${MAC[gw]} and dst host $gw and $ECHO" >/dev/null
	ARPD=$(gtd "addresses the attacker ARP-requested" "ether src $A and $ARPREQ" arp-target)
	need "forged replies claiming the gateway" "$c1" 3
	need "forged replies claiming the workstation" "$c2" 3
}

sc_arpspoof() {
	begin arpspoof "dsniff arpspoof from $SCANNER: the gateway ${IP[gw]} impersonated toward ${IP[ws]} and ${IP[ws]} toward the gateway, 20 s, while ${IP[ws]} pings its gateway" dsniff
	nsx atk sysctl -qw net.ipv4.ip_forward=1
	log "(ipsl-atk: net.ipv4.ip_forward=1, so the intercepted traffic still flows)"
	cap_start
	bg ws ping -q -i 0.5 -c 54 "${IP[gw]}"
	local v=$BGPID vo=$BGOUT p1 o1 p2 o2
	sleep 2
	bg atk timeout -s INT -k 15 20 arpspoof -i eth0 -t "${IP[ws]}" "${IP[gw]}"
	p1=$BGPID o1=$BGOUT
	bg atk timeout -s INT -k 15 20 arpspoof -i eth0 -t "${IP[gw]}" "${IP[ws]}"
	p2=$BGPID o2=$BGOUT
	bgwait "$p1" "$o1"
	bgwait "$p2" "$o2"
	bgwait "$v" "$vo"
	nsx atk sysctl -qw net.ipv4.ip_forward=0
	cap_stop
	arp_truth
	why "$SCANNER answered unasked for the gateway ${IP[gw]} and for ${IP[ws]} with its own MAC: ARP cache poisoning (9000003) by $SCANNER, blocked, no false positive"
	expect "sig=9000003:min=1:attackers=$SCANNER" "blocked=$SCANNER" "fp="
	publish
}

sc_ettercap() {
	begin ettercap "ettercap (text) ARP MITM from $SCANNER between the gateway ${IP[gw]} and ${IP[ws]}, about 22 s, while ${IP[ws]} pings its gateway" ettercap-text-only
	cap_start
	bg ws ping -q -i 0.5 -c 60 "${IP[gw]}"
	local v=$BGPID vo=$BGOUT
	sleep 2
	run atk timeout -s INT -k 15 22 ettercap -T -q -i eth0 -M arp:remote "/${IP[gw]}//" "/${IP[ws]}//"
	local eo=$OUTF
	bgwait "$v" "$vo"
	nsx atk sysctl -qw net.ipv4.ip_forward=0
	cap_stop
	if ! grep -q 'ARP poisoning victims' "$eo"; then
		soft_fail "ettercap did not start poisoning"
		return 0
	fi
	arp_truth
	why "$SCANNER answered unasked for the gateway ${IP[gw]} and for ${IP[ws]} with its own MAC: ARP cache poisoning (9000003) by $SCANNER, blocked, no false positive"
	if ((ARPD >= 25)); then
		why "before poisoning, ettercap ARP-swept $ARPD addresses: a host-discovery sweep (9000002) by $SCANNER too"
		expect "sig=9000002:min=1:attackers=$SCANNER" "sig=9000003:min=1:attackers=$SCANNER" "blocked=$SCANNER" "fp="
	else
		why "ettercap only ARP-resolved its $ARPD targets (\"Scanning for merged targets\"), no sweep"
		expect "sig=9000003:min=1:attackers=$SCANNER" "blocked=$SCANNER" "fp="
	fi
	publish
}

# --- scenarios: password guessing ---------------------------------------------

WORDS=(123456 password 12345678 qwerty 123456789 12345 1234 111111 1234567 dragon
	123123 baseball abc123 football monkey letmein shadow master 666666 qwertyuiop
	123321 mustang 1234567890 michael 654321 superman 1qaz2wsx 7777777 121212 000000
	qazwsx 123qwe killer trustno1 jordan jennifer zxcvbnm asdfgh hunter buster)

wordlists() {
	printf '%s\n' "${WORDS[@]}" >"$WORK/passwords.txt"
	# the same list with the lab password at place 30
	{
		printf '%s\n' "${WORDS[@]:0:29}"
		echo "$PW"
		printf '%s\n' "${WORDS[@]:29}"
	} >"$WORK/passwords-hit.txt"
}

hydra_found() { grep -cE '^\[[0-9]+\]\[[a-z]+\] host:' "$OUTF" || true; }

sc_hydra_ssh() {
	local t=${IP[ssh]}
	begin hydra-ssh "hydra guessing the lab user's SSH password on $t (OpenSSH, default MaxAuthTries 6): 40 passwords, 4 tasks, none right" hydra openssh-server
	mark_logs
	cap_start
	run atk hydra -l "$LABUSER" -P "$WORK/passwords.txt" -t 4 -w 5 -I -V "ssh://$t"
	cap_stop
	local f c ok
	f=$(srvlog "sshd: Failed password" sshd.log "Failed password for $LABUSER from $SCANNER")
	ok=$(srvlog "sshd: Accepted password" sshd.log "Accepted password")
	c=$(gt "TCP connections from $SCANNER to $t:22" "src host $SCANNER and dst host $t and dst port 22 and $SYN")
	note "hydra: $(grep -E 'valid password' "$OUTF" || echo '?')"
	need "failed passwords logged by sshd" "$f" 20
	((ok == 0 && $(hydra_found) == 0)) || die "$NAME: a password was found; the wordlist must not hold it"
	why "hydra tried its 40 passwords from $SCANNER (sshd logged $f failures: hydra retries some after sshd drops a connection at MaxAuthTries)"
	why "over $c SSH connections, none accepted: brute force (9000004) by $SCANNER, blocked, no false positive"
	expect "sig=9000004:min=1:attackers=$SCANNER" "blocked=$SCANNER" "fp="
	publish
}

sc_hydra_ftp() {
	local t=${IP[ftp]}
	begin hydra-ftp "hydra guessing the lab user's FTP password on $t (vsftpd): 40 passwords, 4 tasks, none right" hydra vsftpd
	mark_logs
	cap_start
	run atk hydra -l "$LABUSER" -P "$WORK/passwords.txt" -t 4 -w 5 -I -V "ftp://$t"
	cap_stop
	local f c l
	f=$(gtpay "FTP 530 answers from $t" "tcp src port 21 and src host $t" "530 Login incorrect")
	l=$(srvlog "vsftpd: FAIL LOGIN" vsftpd.log "FAIL LOGIN")
	gtpay "FTP 230 answers from $t (logins)" "tcp src port 21 and src host $t" "230 " >/dev/null
	c=$(gt "TCP connections from $SCANNER to $t:21" "src host $SCANNER and dst host $t and dst port 21 and $SYN")
	note "hydra: $(grep -E 'valid password' "$OUTF" || echo '?')"
	need "FTP 530 answers" "$f" 20
	(($(hydra_found) == 0)) || die "$NAME: a password was found"
	why "$SCANNER failed $f FTP logins ($l logged by vsftpd) over $c connections: brute force (9000004) by $SCANNER, blocked, no false positive"
	expect "sig=9000004:min=1:attackers=$SCANNER" "blocked=$SCANNER" "fp="
	publish
}

sc_hydra_telnet() {
	local t=${IP[ftp]}
	begin hydra-telnet "hydra guessing the lab user's telnet password on $t (inetutils telnetd, /bin/login with a 3 s fail delay): 40 passwords, 4 tasks, none right; hydra's telnet module can hang at the end, so the run is bounded at 75 s" hydra inetutils-telnetd
	cap_start
	run atk timeout -s INT -k 5 75 hydra -l "$LABUSER" -P "$WORK/passwords.txt" -t 4 -w 5 -I -V "telnet://$t"
	cap_stop
	local f c ok
	f=$(gtpay "\"Login incorrect\" from $t" "tcp src port 23 and src host $t" "Login incorrect")
	ok=$(gtpay "shell sessions (\"Last login\" or a prompt)" "tcp src port 23 and src host $t" "$LABUSER@")
	c=$(gt "TCP connections from $SCANNER to $t:23" "src host $SCANNER and dst host $t and dst port 23 and $SYN")
	if ((RC == 124)); then
		note "hydra: stopped by timeout after 75 s (exit 124) before its summary; attempts sent: $(grep -c '^\[ATTEMPT\]' "$OUTF" || true)"
	else
		note "hydra: $(grep -E 'valid password|host:' "$OUTF" | head -3 | tr '\n' ' ')"
	fi
	note "hydra's telnet module is unreliable (it says so); what the server answered, counted above, is the ground truth"
	if ((f < 20)); then
		soft_fail "only $f failed telnet logins in the capture"
		return 0
	fi
	((ok == 0)) || die "$NAME: a telnet login succeeded"
	why "$SCANNER failed $f telnet logins over $c connections, no session opened: brute force (9000004) by $SCANNER, blocked, no false positive"
	expect "sig=9000004:min=1:attackers=$SCANNER" "blocked=$SCANNER" "fp="
	publish
}

sc_hydra_ssh_success() {
	local t=${IP[ssh]}
	begin hydra-ssh-success "hydra finds the lab user's SSH password on $t (30th of 41), then the attacker logs in with it and runs commands" hydra openssh-server sshpass
	mark_logs
	cap_start
	run atk hydra -l "$LABUSER" -P "$WORK/passwords-hit.txt" -t 4 -w 5 -f -I -V "ssh://$t"
	local found hout=$OUTF
	found=$(grep -E '^\[22\]\[ssh\] host:' "$OUTF" | sed -E 's/.*password: //' | head -1)
	[[ $found == "$PW" ]] || die "$NAME: hydra did not find the password (got '$found')"
	sleep 2
	run atk sshpass -p "$found" ssh -F /dev/null -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null \
		-o PubkeyAuthentication=no "$LABUSER@$t" 'id; uname -srm; ls -la; head -3 readme.txt; wc -l report.txt; cat /etc/os-release | head -2'
	((RC == 0)) || die "$NAME: the login with the guessed password failed ($RC)"
	cap_stop
	local f ok c
	f=$(srvlog "sshd: Failed password" sshd.log "Failed password for $LABUSER from $SCANNER")
	ok=$(srvlog "sshd: Accepted password" sshd.log "Accepted password for $LABUSER from $SCANNER")
	c=$(gt "TCP connections from $SCANNER to $t:22" "src host $SCANNER and dst host $t and dst port 22 and $SYN")
	note "hydra: $(grep -E '^\[22\]\[ssh\]|valid password' "$hout" | tr '\n' ' ')"
	need "failed passwords logged by sshd" "$f" 10
	need "accepted logins logged by sshd" "$ok" 1
	why "$SCANNER guessed ($f failed passwords, $c connections) and then logged in with the guessed password ($ok accepted by sshd):"
	why "brute force and login-after-guessing, two alerts of 9000004 at least, by $SCANNER, blocked, never a false positive"
	expect "sig=9000004:min=2:attackers=$SCANNER" "blocked=$SCANNER" "fp="
	publish
}

# --- scenarios: guest VMs -------------------------------------------------------

vm_boot() { # NS-NAME IP STYLE: bring the NIC up with its address, announce it
	local v=$1 ip=$2 style=$3
	case $style in
	notify) # the guest kernel announces itself on link up (arp_notify)
		nsx "$v" sysctl -qw net.ipv4.conf.eth0.arp_notify=1
		log ""
		log "[$v] \$ sysctl net.ipv4.conf.eth0.arp_notify=1; ip addr add $ip/24 dev eth0; ip link set eth0 up   # boot: the kernel sends gratuitous ARP"
		ip -n "$NSP$v" addr add "$ip/24" dev eth0
		ip -n "$NSP$v" link set eth0 up
		;;
	*)
		log ""
		log "[$v] \$ ip addr add $ip/24 dev eth0; ip link set eth0 up   # boot; arping exits 1 when nobody answers, as for an announcement"
		ip -n "$NSP$v" addr add "$ip/24" dev eth0
		ip -n "$NSP$v" link set eth0 up
		sleep 0.2
		[[ $style == probe-* ]] && run "$v" arping -q -0 -c 2 -w 3 -i eth0 "$ip" # RFC 5227 probe, sender 0.0.0.0
		case $style in
		*request) run "$v" arping -q -U -c 2 -i eth0 -S "$ip" "$ip" ;;  # gratuitous request
		*reply) run "$v" arping -q -U -P -c 2 -i eth0 -S "$ip" "$ip" ;; # gratuitous reply
		esac
		;;
	esac
}
vm_talk() { # NS-NAME: what a freshly booted guest does: DNS, web, gateway
	run "$1" dig +short +tries=1 +time=2 "@${IP[dns]}" www.lab.test
	run "$1" curl -s -o /dev/null -w '%{http_code} %{size_download}\n' "http://${IP[web]}/index.html"
	run "$1" ping -q -c 2 -i 0.3 "${IP[gw]}"
}
# vm_truth NS-NAME MAC IP: what one guest claimed by ARP
vm_truth() {
	local mac=$2 ip=$3 g n
	g=$(gt "$1 ($mac): ARP packets claiming $ip" "ether src $mac and arp and arp[14:4] == $(hexip "$ip")")
	n=$(gt "$1 ($mac): ARP packets claiming another address" "ether src $mac and arp and not arp[14:4] == $(hexip "$ip") and not arp[14:4] == 0")
	((n == 0)) || die "$NAME: $1 claimed an address not its own"
	VMG=$g
}

sc_guest_boot() {
	begin guest-vm-boot "five guest VMs bridged onto the LAN boot with fresh addresses and announce them (gratuitous ARP, RFC 5227 probes), then use DNS, web and the gateway" arping
	declare -A vmip=([vmware]=$NET.11 [vbox]=$NET.12 [kvm]=$NET.13 [prl]=$NET.14 [hyperv]=$NET.15)
	declare -A vmmac=([vmware]=00:0c:29:4c:ab:11 [vbox]=08:00:27:4c:ab:12 [kvm]=52:54:00:4c:ab:13 [prl]=00:1c:42:4c:ab:14 [hyperv]=00:15:5d:4c:ab:15)
	declare -A vmstyle=([vmware]=notify [vbox]=request [kvm]=probe-request [prl]=reply [hyperv]=probe-reply)
	local v o
	for v in vmware vbox kvm prl hyperv; do add_node "vm-$v" "${vmmac[$v]}"; done
	cap_start
	for v in vmware vbox kvm prl hyperv; do
		vm_boot "vm-$v" "${vmip[$v]}" "${vmstyle[$v]}"
		vm_talk "vm-$v"
		sleep 1
	done
	cap_stop
	for v in vmware vbox kvm prl hyperv; do
		vm_truth "vm-$v" "${vmmac[$v]}" "${vmip[$v]}"
		need "ARP announcements of vm-$v" "$VMG" 1
		o=$(gt "  ARP claims of ${vmip[$v]} by any other MAC (0: a fresh address)" "arp and arp[14:4] == $(hexip "${vmip[$v]}") and not ether src ${vmmac[$v]}")
		((o == 0)) || die "$NAME: ${vmip[$v]} was not a fresh address"
	done
	for v in vmware vbox kvm prl hyperv; do kill_ns "${NSP}vm-$v"; done
	why "each guest announced only its own, never-used address: nothing hostile, nothing to alert on (gratuitous ARP on boot of a fresh address)"
	expect "blocked=" "fp="
	publish
}

sc_guest_move() {
	local ip=$NET.16 ma=00:0c:29:4c:ab:16 mb=52:54:00:4c:ab:26
	begin guest-vm-move "a service address $ip moves from a VMware guest NIC ($ma) to a QEMU/KVM guest NIC ($mb) (address removed on one, added on the other, gratuitous ARP) while ${IP[ws]} keeps pinging it" arping
	add_node vm-a "$ma"
	add_node vm-b "$mb"
	ip -n "${NSP}vm-b" link set eth0 up # a NIC with no address yet: silent
	cap_start
	vm_boot vm-a "$ip" request
	bg ws ping -q -i 0.25 -c 60 "$ip"
	local p=$BGPID po=$BGOUT
	sleep 5
	log ""
	log "[vm-a] \$ ip addr del $ip/24 dev eth0"
	ip -n "${NSP}vm-a" addr del "$ip/24" dev eth0
	log "[vm-b] \$ ip addr add $ip/24 dev eth0"
	ip -n "${NSP}vm-b" addr add "$ip/24" dev eth0
	run vm-b arping -q -U -c 3 -i eth0 -S "$ip" "$ip"
	bgwait "$p" "$po"
	cap_stop
	vm_truth vm-a "$ma" "$ip"
	vm_truth vm-b "$mb" "$ip"
	local ra rb
	ra=$(gt "echo replies for $ip from $ma (before the move)" "ether src $ma and $ECHOREP")
	rb=$(gt "echo replies for $ip from $mb (after the move)" "ether src $mb and $ECHOREP")
	gt "echo requests from ${IP[ws]} to $ip" "src host ${IP[ws]} and dst host $ip and $ECHO" >/dev/null
	need "replies from the old NIC" "$ra" 1
	need "replies from the new NIC" "$rb" 1
	kill_ns "${NSP}vm-a"
	kill_ns "${NSP}vm-b"
	why "$ip was bound to $ma, then to $mb, each a hypervisor NIC doing nothing but answer for it: not hostile"
	why "an IPS may well see an address changing MAC; the format cannot say \"may\", so the alert is expected and must be classified"
	why "a guest-vm false positive on the new NIC $mb, never blocked (README: \"guest VMs\"); an ARP alert's"
	why "attacker is the MAC that claimed the address, and guest VMs are excluded by MAC"
	expect "sig=9000003:min=1:attackers=$mb" "blocked=" "fp=$mb:guest-vm"
	publish
}

sc_guest_reuse() {
	local ip=$NET.17 ma=08:00:27:4c:ab:17 mc=00:15:5d:4c:ab:27
	begin guest-vm-reuse "a VirtualBox guest ($ma) uses $ip and is shut down; 6 s later a Hyper-V guest ($mc) boots with the freed address (RFC 5227 probe, announcement) and uses it" arping
	add_node vm-a "$ma"
	add_node vm-c "$mc"
	cap_start
	vm_boot vm-a "$ip" request
	vm_talk vm-a
	run ws ping -q -c 3 -i 0.3 "$ip"
	log ""
	log "[vm-a] shut down: ip link set eth0 down; the namespace is deleted"
	ip -n "${NSP}vm-a" link set eth0 down
	kill_ns "${NSP}vm-a"
	sleep 6
	vm_boot vm-c "$ip" probe-request
	vm_talk vm-c
	run ws ping -q -c 3 -i 0.3 "$ip"
	cap_stop
	vm_truth vm-a "$ma" "$ip"
	local ga=$VMG last first
	vm_truth vm-c "$mc" "$ip"
	last=$(tcpdump -ttnr "$PCAP" "ether src $ma" 2>/dev/null | tail -1 | cut -d' ' -f1)
	first=$(tcpdump -ttnr "$PCAP" "ether src $mc and arp" 2>/dev/null | head -1 | cut -d' ' -f1)
	note "last frame from the old NIC $ma to first ARP from the new one $mc: $(awk -v a="$last" -v b="$first" 'BEGIN{printf "%.1f s", b-a}')"
	gt "echo replies for $ip from $mc" "ether src $mc and $ECHOREP" >/dev/null
	need "ARP claims of the old NIC" "$ga" 1
	need "ARP claims of the new NIC" "$VMG" 1
	kill_ns "${NSP}vm-c"
	why "$ip was bound to $ma, which went silent, then to $mc: address re-use after the old VM is gone, not hostile"
	why "as for a moved address, an IPS keeping bindings for minutes sees the MAC change; the alert is expected and must be"
	why "a guest-vm false positive on the new NIC $mc (by MAC, as for a moved address), never blocked"
	expect "sig=9000003:min=1:attackers=$mc" "blocked=" "fp=$mc:guest-vm"
	publish
}

# --- scenarios: benign ----------------------------------------------------------

benign_expect() {
	why "ordinary use of the lab's services by the workstation: nothing fires, nothing is blocked, nobody is flagged"
	expect "blocked=" "fp="
}

sc_benign_web() {
	begin benign-web "the workstation browses the intranet web server (curl, 6 pages, 3 visits)" curl
	cap_start
	local i
	for i in 1 2 3; do
		run ws curl -s -o /dev/null -w '%{http_code} %{size_download} %{url_effective}\n' \
			"http://${IP[web]}/index.html" "http://${IP[web]}/css/site.css" "http://${IP[web]}/img/logo.png" \
			"http://${IP[web]}/about.html" "http://${IP[web]}/news.html" "http://${IP[web]}/docs/manual.txt"
		((RC == 0)) || die "$NAME: curl failed"
		sleep 2
	done
	cap_stop 1
	local r
	r=$(gtpay "HTTP requests" "tcp dst port 80" "GET /")
	gtpay "HTTP 200 answers" "tcp src port 80" "HTTP/1.0 200" >/dev/null
	gt "TCP connections to :80" "dst port 80 and $SYN" >/dev/null
	need "HTTP requests" "$r" 18
	benign_expect
	publish
}

sc_benign_ssh() {
	begin benign-ssh "four SSH logins by the lab user from the workstation, each running a few commands" openssh-client sshpass
	mark_logs
	cap_start
	local cmd
	for cmd in 'uptime; ls -la' 'head -5 report.txt; df -h / | tail -1' 'id; cat readme.txt' 'wc -l report.txt; ps -o pid,comm | head -5'; do
		run ws sshpass -p "$PW" ssh -F /dev/null -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null \
			-o PubkeyAuthentication=no "$LABUSER@${IP[ssh]}" "$cmd"
		((RC == 0)) || die "$NAME: ssh failed"
		sleep 2
	done
	cap_stop 1
	local ok f
	ok=$(srvlog "sshd: Accepted password" sshd.log "Accepted password for $LABUSER from ${IP[ws]}")
	f=$(srvlog "sshd: Failed password" sshd.log "Failed password")
	gt "TCP connections to :22" "dst port 22 and $SYN" >/dev/null
	need "accepted logins" "$ok" 4
	((f == 0)) || die "$NAME: failed logins"
	benign_expect
	publish
}

sc_benign_ftp() {
	begin benign-ftp "FTP: the lab user logs in from the workstation and downloads files (lftp, then the classic ftp client)" lftp ftp
	cap_start
	run ws lftp -c "set ftp:ssl-allow no; open -u $LABUSER,$PW ${IP[ftp]}; ls; get readme.txt -o $WORK/dl-readme.txt; get report.txt -o $WORK/dl-report.txt; bye"
	((RC == 0)) || die "$NAME: lftp failed"
	sleep 2
	printf 'user %s %s\nbinary\nls\nget readme.txt %s/dl2-readme.txt\nbye\n' "$LABUSER" "$PW" "$WORK" >"$WORK/ftp-cmds.txt"
	log ""
	log "(ftp commands on stdin: user $LABUSER $PW, binary, ls, get readme.txt, bye)"
	run ws sh -c "ftp -inv ${IP[ftp]} < $WORK/ftp-cmds.txt"
	((RC == 0)) || die "$NAME: ftp failed"
	cap_stop 1
	local ok
	ok=$(gtpay "FTP 230 answers (logins)" "tcp src port 21" "230 Login successful")
	gtpay "FTP 530 answers (failed logins)" "tcp src port 21" "530 " >/dev/null
	gtpay "RETR commands" "tcp dst port 21" "RETR " >/dev/null
	need "logins" "$ok" 2
	benign_expect
	publish
}

sc_benign_infra() {
	begin benign-infra "the workstation's everyday infrastructure traffic: DNS lookups, an NTP exchange (chronyd -Q against the lab chronyd), pings" dnsutils chrony iputils-ping
	cap_start
	local n
	for n in www.lab.test ssh.lab.test ftp.lab.test ns.lab.test gw.lab.test; do
		run ws dig +short "@${IP[dns]}" "$n"
	done
	run ws dig +short "@${IP[dns]}" -x "${IP[web]}"
	run ws chronyd -Q -t 20 -u root "server ${IP[dns]} iburst" "pidfile $WORK/chrony-client.pid" "cmdport 0" "bindcmdaddress /"
	((RC == 0)) || die "$NAME: chronyd -Q failed"
	run ws ping -c 3 -i 0.5 "${IP[gw]}"
	run ws ping -c 3 -i 0.5 "${IP[web]}"
	cap_stop 1
	local q t
	q=$(gt "DNS queries" "udp dst port 53")
	gt "DNS answers" "udp src port 53" >/dev/null
	t=$(gt "NTP client requests" "udp dst port 123")
	gt "NTP server answers" "udp src port 123" >/dev/null
	gt "ICMP echo requests" "$ECHO" >/dev/null
	need "DNS queries" "$q" 6
	need "NTP requests" "$t" 1
	benign_expect
	publish
}

# --- main ---------------------------------------------------------------------

SCENARIOS=(
	nmap-sS:sc_nmap_sS nmap-sT:sc_nmap_sT nmap-sU:sc_nmap_sU
	nmap-sn-arp:sc_nmap_sn_arp nmap-sn-icmp:sc_nmap_sn_icmp nmap-sweep5:sc_nmap_sweep5
	nmap-sV:sc_nmap_sV nmap-O:sc_nmap_O nmap-slow:sc_nmap_slow nmap-decoy:sc_nmap_decoy
	scanner-internal:sc_scanner_internal masscan:sc_masscan zmap:sc_zmap
	hping3-synflood:sc_hping3_synflood hping3-synflood-randsrc:sc_hping3_randsrc
	arpspoof:sc_arpspoof ettercap:sc_ettercap
	hydra-ssh:sc_hydra_ssh hydra-ftp:sc_hydra_ftp hydra-telnet:sc_hydra_telnet hydra-ssh-success:sc_hydra_ssh_success
	guest-vm-boot:sc_guest_boot guest-vm-move:sc_guest_move guest-vm-reuse:sc_guest_reuse
	benign-web:sc_benign_web benign-ssh:sc_benign_ssh benign-ftp:sc_benign_ftp benign-infra:sc_benign_infra
)

main() {
	local s known=" "
	for s in "${SCENARIOS[@]}"; do known+="${s%%:*} "; done
	for s in ${ONLY//,/ }; do
		[[ $known == *" $s "* ]] || die "LAB_ONLY: no scenario $s (have:$known)"
	done
	# one run at a time: a second one would tear down the first one's LAN
	exec 9>/run/lock/ipsl-lab.lock
	flock -n 9 || die "another lab.sh is running (lock /run/lock/ipsl-lab.lock held); wait for it to finish"
	trap teardown EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM
	install_packages
	if [[ -n $(lab_namespaces) ]]; then
		say "removing what an earlier run left: $(lab_namespaces | tr '\n' ' ')"
		clean_lab
	fi
	mkdir -p "$OUT"
	say "building the lab LAN $NET.0/24"
	setup_lab
	wordlists
	for s in "${SCENARIOS[@]}"; do
		wanted "${s%%:*}" || continue
		"${s##*:}"
	done
	say "done: ${#DONE[@]} captures written to $OUT in $((SECONDS - START)) s"
	if ((${#SOFT_FAILED[@]})); then
		say "not written this time (optional scenarios):"
		printf '  %s\n' "${SOFT_FAILED[@]}" >&2
	fi
}

main "$@"
