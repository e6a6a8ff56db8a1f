#!/bin/sh
# Regenerates the captures in this directory with the real tools (see
# README.md). Run as root on Linux with nmap, masscan, zmap, hping3,
# tcpdump, curl and python3 installed. It builds two network namespaces,
# fp-a (the scanner, 10.77.0.1) and fp-b (four target addresses,
# 10.77.0.2-5), joined by one veth pair; nothing leaves them. tcpdump runs
# on fp-b's end, so each capture holds both directions.
set -eu

out=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)

teardown() {
	[ -f "$work/services.pid" ] && kill "$(cat "$work/services.pid")" 2>/dev/null || true
	ip netns del fp-a 2>/dev/null || true
	ip netns del fp-b 2>/dev/null || true
	rm -rf "$work"
}
trap teardown EXIT
ip netns del fp-a 2>/dev/null || true
ip netns del fp-b 2>/dev/null || true

ip netns add fp-a
ip netns add fp-b
ip link add fpa type veth peer name fpb
ip link set fpa netns fp-a
ip link set fpb netns fp-b
ip -n fp-a link set lo up
ip -n fp-b link set lo up
ip -n fp-a link set fpa address 02:00:0a:4d:00:01
ip -n fp-b link set fpb address 02:00:0a:4d:00:02
ip -n fp-a addr add 10.77.0.1/24 dev fpa
for i in 2 3 4 5; do ip -n fp-b addr add 10.77.0.$i/24 dev fpb; done
ip -n fp-a link set fpa up
ip -n fp-b link set fpb up
sleep 1

# Lab services on every target address: banners (FTP, SSH, SMTP), HTTP,
# and silent ports (443, 445) that answer nothing, so -sV tries its other
# probes there.
cat >"$work/services.py" <<'EOF'
import asyncio
BANNERS = {21: b"220 (vsFTPd 3.0.3)\r\n", 22: b"SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3\r\n",
           25: b"220 mail.lab ESMTP Postfix (Debian/GNU)\r\n"}
HTTP = {80, 8080}
async def handle(reader, writer, port):
    try:
        if port in BANNERS:
            writer.write(BANNERS[port]); await writer.drain()
            await asyncio.wait_for(reader.read(4096), 10)
        elif port in HTTP:
            if await asyncio.wait_for(reader.read(4096), 10):
                writer.write(b"HTTP/1.0 200 OK\r\nServer: SimpleHTTP/0.6 Python/3.11.2\r\n"
                             b"Content-Type: text/html\r\nContent-Length: 13\r\n\r\n<html></html>")
                await writer.drain()
        else:
            await asyncio.wait_for(reader.read(4096), 10)
    except Exception:
        pass
    finally:
        writer.close()
async def main():
    servers = [await asyncio.start_server(lambda r, w, p=p: handle(r, w, p), "0.0.0.0", p)
               for p in (21, 22, 25, 80, 443, 445, 8080)]
    await asyncio.gather(*(s.serve_forever() for s in servers))
asyncio.run(main())
EOF
ip netns exec fp-b python3 "$work/services.py" &
echo $! >"$work/services.pid"
sleep 1

# capture NAME CMD...: run CMD in fp-a while tcpdump writes NAME.pcap
capture() {
	name=$1
	shift
	ip netns exec fp-b tcpdump -Z root -i fpb -U -w "$out/$name.pcap" 2>/dev/null &
	tp=$!
	sleep 1
	ip netns exec fp-a "$@" >"$work/$name.out" 2>&1
	sleep 1
	kill "$tp"
	wait "$tp" 2>/dev/null || true
	echo "$name.pcap: $*"
}

: >"$work/blocklist" # zmap's default blocklist holds 10.0.0.0/8

capture nmap-ss nmap -n -sS --top-ports 20 10.77.0.2
capture nmap-sv nmap -n -sV --version-light --top-ports 100 10.77.0.2-5
capture nmap-o nmap -n -O -p 22,23,80,443 10.77.0.2
capture masscan masscan 10.77.0.2-10.77.0.5 -p21,22,23,80,443,445 --rate 100 \
	--adapter fpa --adapter-ip 10.77.0.1 --adapter-mac 02:00:0a:4d:00:01 \
	--router-mac 02:00:0a:4d:00:02 --wait 2
capture zmap zmap -p 80 10.77.0.0/29 -i fpa -S 10.77.0.1 -G 02:00:0a:4d:00:02 \
	-r 100 -b "$work/blocklist" -c 2
capture hping3-syn hping3 -S -p 80 -c 5 -i u100000 10.77.0.2
capture linux-client sh -c 'curl -s -o /dev/null http://10.77.0.2/ && curl -s -o /dev/null http://10.77.0.3:8080/index.html'
