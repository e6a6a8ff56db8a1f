// Package rulematch runs Suricata/Snort rules (parsed by signatures/rules)
// on packets: compiled once, then run on every IPv4/IPv6 packet, after
// Suricata's detect engine. Its files follow the engine's stages: config.go
// (tunables), compile.go (a rule's checks and chains), build.go (grouping
// by protocol class and port), prefilter.go (the multi-pattern search),
// engine.go (the per-packet list of stages), inspect.go (buffers and
// their chains), header.go, content.go, pcre.go, bytecheck.go (one keyword
// family each, compile beside match; byte_extract's variables live in the
// per-worker scratch), threshold.go, globalthreshold.go (a threshold
// file's lines, installed on the compiled rules), stream.go, http.go,
// flowbits.go, flowstate.go (IP-only and protocol-only http rules),
// httpresp.go, httpresphead.go, httprespinspect.go, httpdecode.go (HTTP
// responses and bodies), dns.go (DNS requests, dns.query), tls.go
// (ClientHellos, tls.sni), handshake.go, tlsstream.go, x509.go and ssh.go
// (TLS handshakes and SSH banners kept per flow), dataset.go and
// datasetload.go (dataset:, datarep: and their sets), skip.go (rules left
// out) and action.go (drop, reject, pass and the action order).
//
// Compilation (detect-engine-build.c) splits rules by protocol class (TCP,
// UDP, ICMP, ICMPv6, other IP); in each class every rule with a positive
// content gives one pattern to the class's prefilter (prefilter.go), and
// rules without one are indexed by their destination (or, for "80 -> any"
// rules, source) ports when those name a few ports outright. Per packet the
// matcher lowercases the payload into scratch, runs one automaton pass, and
// evaluates in full only the rules whose pattern was found plus the
// content-less rules of the packet's ports and of any port, so cost follows
// the traffic and the hits, not the rule count. Content rules share one
// automaton per class instead of one per port group as in Suricata: with a
// dense-table automaton, copying the any-port patterns into every port
// group would multiply its memory, and the ports are checked right after a
// hit anyway. Full evaluation checks the header, flow, flags, dsize, ttl,
// itype/icode and then the content/pcre chain of each buffer as
// detect-engine-content-inspection.c does, including when it retries a
// later occurrence of a content or pcre whose next item is relative to it
// (distance, within, pcre R, relative byte checks and isdataat all set
// Suricata's RELATIVE_NEXT; suricata-verify UriTestSig27) and its
// recursion limit. Thresholds follow detect-engine-threshold.c, and a
// threshold file (Config.ThresholdFile) util-threshold-config.c: suppress
// is checked before the threshold, so suppressed matches do not count;
// a rate_filter's new action is data on the event (RateAction), and a
// new action pass ends the packet's alerts as a pass rule does.
//
// Semantics decisions, where replaying captures differs from a live
// Suricata:
//
//   - Buffers are per packet: the payload is the TCP segment or datagram.
//     Rules whose contents are all unanchored payload contents (streamable)
//     are also run on the reassembled stream the flow table hands over
//     (Facts.StreamPrefix+StreamData, reordered and with overlaps resolved
//     first-data-wins) and fire on the packet that completes a match none
//     of the pieces made alone; the flow table keeps as much of the stream
//     as the longest such rule reaches (StreamWindow), up to its cap.
//     tcp-pkt rules see the packet only, never the stream; tcp-stream
//     rules see the stream only, so never a retransmission's payload
//     (Suricata's eve-overlap-payload tests: the stream keeps the first
//     data, the packet may say otherwise); tcp rules see both. HTTP
//     buffers come from a request parsed out of one TCP payload that
//     starts with a method token and a space, or, when its headers span
//     segments, out of the reassembled request once they end
//     (http.go); they are raw
//     slices (http.uri is the request target as sent, Suricata's
//     http.uri.raw, present once the request line ends; http.header is the header lines as sent, Cookie
//     included; http.request_body is the rest of the segment, not
//     de-chunked), except http.host, which is lowercased with the port
//     dropped, as Suricata normalises it. http.uri.raw is the same span
//     as http.uri; http.request_line is the first line without its line
//     end, http.protocol its last part; http.header.raw is http.header;
//     http.content_type, http.accept, http.accept_lang,
//     http.accept_enc, http.connection and http.referer are the first
//     such header's value, trimmed (a header sent with no value is an
//     empty buffer, not a missing one, except Host); http.start (http_start) is the
//     request from its first byte through the blank line, present once
//     that line is seen: Suricata rebuilds it as the request line, each
//     header as "Name: value" and a CRLF after each line and the blank
//     one, which is the same bytes for a request sent with CRLF line ends
//     and one space after each colon (LF-only or oddly spaced headers
//     differ); http.header_names is built per
//     request as Suricata lays it out ("\r\nHost\r\nAccept\r\n\r\n"),
//     so its contents are never the prefilter pattern. urilen measures that http.uri
//     for ,norm (the default) and ,raw alike: Suricata's ,norm would
//     measure the percent-decoded path and query, shorter for an
//     encoded or absolute-form target.
//   - HTTP responses (httpresp.go) are followed per connection from the
//     server's in-order stream, one transaction at a time, as libhtp
//     parses them: the status line and headers (http.stat_code,
//     http.stat_msg, http.response_line, http.protocol, http.header and
//     http.header.raw as sent, http.cookie from Set-Cookie,
//     http.header_names, http.server, http.location, http.content_type,
//     http.content_len, http.connection, http.start), then the body, by
//     Transfer-Encoding chunked, else Content-Length, else up to the
//     close, de-chunked and with up to HTTPDecompressLayers gzip/deflate
//     layers undone (file_data, file.data, http.response_body and
//     http_server_body are that one buffer, Suricata 7's file_data list).
//     A rule that reads a response buffer, file_data, or (without
//     flow:to_server) a buffer both messages have runs on each response
//     when its headers end (no body) and when its body ends, reaches
//     HTTPResponseBodyBytes or the connection closes (with it), firing at
//     most once per transaction, on the packet that completed the stage.
//     Responses are paired with the requests seen in order only to know
//     a HEAD's answer has no body and that data without a status line is
//     an HTTP/0.9 body; rules mixing request and response buffers are left
//     out. libhtp's leniency is followed where suricata-verify's
//     http-evader tests show it: a CR not followed by LF (or a space) ends
//     a header line, folded lines join before the colon, names are
//     compared without NULs and control bytes, repeated Content-Encoding
//     headers form one list, a chunk size is the hex digits after any
//     leading whitespace or control bytes (junk after them ignored), a
//     chunked body whose first 8 bytes are no chunk size is read to the
//     close, a Content-Length that is not a number leaves the body to the
//     close, 1xx, 204 and 304 responses have a body when they announce
//     one, a layer that does not decode passes through as sent, and what
//     decodes before a corrupt trailer is kept. Not done: LZMA, the
//     progressive inspection window of bodies larger than the cap, and
//     de-chunking or decompressing request bodies (on to_server,
//     file_data is http.request_body, the rest of the request's segment).
//   - dns.query (and its legacy name dns_query) is each question's name
//     of a DNS request, dotted, as Suricata's: a rule matches when its
//     dns.query chain matches one of the names. There is no protocol
//     detection, so a packet is a DNS request when it is UDP or TCP to
//     port 53 (Suricata's default DNS detection port; TCP with the
//     two-byte length prefix, the whole message in the segment, the first
//     message only) and parses as one: QR = 0 and a question section that
//     decodes in full (the answer, authority and additional sections are
//     not parsed). A request on another port, or one split over TCP
//     segments, is not seen. At most 8 questions are inspected;
//     compression pointers must go back, each before the last, so a
//     pointer loop or a forward pointer ends the parse with no names. The
//     prefilter looks for the longest dot-free piece of a dns.query
//     content, which lies in one label on the wire. A rule naming dns with
//     no dns buffer is not run on DNS only: with no payload keyword it is
//     left out (below), with payload contents it runs on UDP and TCP on
//     the ports written.
//   - tls.sni (and its legacy name tls_sni) is the host name of a TLS
//     ClientHello's server_name extension, as sent (first entry, host_name
//     type). TLS is not detected by port: a TCP segment on any port is a
//     ClientHello when it starts with a handshake record (type 22, version
//     3.0 to 3.4) held whole in the segment whose ClientHello is whole in
//     the record and parses to its last extension. A hello split over
//     segments or records is read from the in-order stream (handshake.go)
//     and its name inspected on the packet that completes it, where the
//     tls.sni rules are all candidates (the name may lie in an earlier
//     segment than the prefilter sees); a hello after other bytes
//     (STARTTLS) is not seen. The name is a span of the payload, so the
//     prefilter looks for its contents as written. tls.sni on to_client
//     rules is left out.
//   - The TLS certificate, JA3/JA3S, tls.random and SSH buffers
//     (tls.cert_subject, tls.cert_issuer, tls.cert_serial,
//     tls.cert_fingerprint, ja3.hash/string, ja3s.hash/string,
//     tls.random*, ssh.proto, ssh.software, ssh.hassh*, with their
//     legacy names) are read per side of a TCP connection from the
//     in-order stream (handshake.go): TLS records and handshake messages
//     across segments and records until the first non-handshake record,
//     the leaf (first) certificate of a Certificate message, the SSH
//     banner line and first KEXINIT. A side is TLS or SSH by its first
//     bytes, on any port. On a packet, a rule sees what the packet's side
//     sent (the server's certificate on to_client packets, a client
//     certificate on to_server ones, as Suricata 7 inspects both
//     directions; ssh.hassh only on to_server, ssh.hassh.server only on
//     to_client packets), and fires at most once per side of a flow, on
//     the first packet with a payload where its buffers are there. Names
//     are printed as Suricata's x509-parser prints them (x509.go); a name
//     with a NUL byte or bytes that are not UTF-8 gives no buffer.
//     tls.subject, tls.issuerdn and tls.fingerprint (legacy) are one
//     content in their buffer (fingerprint: any case); tls.store is
//     accepted and does nothing. A rule naming tls or ssh with no buffer
//     runs on every packet of a flow after the one that showed the
//     protocol (a TLS record header or an SSH banner), as protocol-only
//     http rules do. ja3 on QUIC is left out (QUIC is not decoded).
//   - Transforms (to_lowercase, url_decode, dotprefix, to_sha256, xor,
//     pcrexform and the others Suricata 7 has; transform.go) make a
//     buffer of their own, as in Suricata: a chain runs on its buffer
//     transformed in rule order, built per chain run in scratch. They
//     act on the buffers as this matcher has them, so url_decode on
//     http.uri decodes the target as sent, where Suricata's http.uri is
//     decoded already. The prefilter keeps a transformed chain's content
//     only when the payload must hold it: after case transforms (the
//     search folds case) and, less its first byte, after dotprefix;
//     other transformed contents are never the prefilter pattern.
//     pcrexform runs as pcre does (RE2, one rune per byte); with no match
//     the buffer stays as it is (Suricata 7; Suricata 8 fails it).
//   - pcre runs Go's RE2 on the buffer presented one rune per byte, as
//     signatures/rules compiles patterns for (\xff is U+00FF): "." takes
//     one byte and bytes >= 0x80 match as in PCRE. A retry after a failed
//     relative chain searches a slice from the last match's start + 1, so
//     ^ and \A there cannot match (as with PCRE's start_offset), but a \b
//     or multiline ^ at the slice start sees no byte before it. Patterns
//     RE2 cannot run (back-references, lookaround, atomic groups,
//     possessive quantifiers, (?x)) run on internal/pcrebt, a bounded
//     backtracking matcher, on the bytes themselves; there a retry passes
//     a start offset as Suricata does, so lookbehind and \b see the bytes
//     before it. pcrebt stops at Suricata's pcre match limit (3500
//     backtracking points per call) or a step cap, and a pcre stopped so
//     does not match, negated or not (Suricata takes PCRE2's
//     MATCHLIMIT error as no match).
//   - flow: the analyzer follows TCP connections and UDP flows. For TCP,
//     to_server and to_client compare with Facts.Dir; established is a packet of a
//     connection seen from its SYN (Dir known) that is neither a SYN or
//     SYN-ACK nor the handshake's bare final ACK (Suricata counts from the
//     packet after it, or from that ACK if it carries data). The flow
//     table does not say whether a handshake completed before later
//     packets, so data or a RST in a connection whose handshake never
//     completed counts as established too. A mid-stream connection (Dir
//     unknown) is neither to_server nor established; it has no TCP
//     session, so no app-layer buffer either (Suricata parses none with
//     stream.midstream off), and a retransmission (Facts.Retransmission)
//     has none, as Suricata's parser sees each stream byte once. For UDP
//     the first packet's sender is the client and a flow is established
//     once both sides sent, as in Suricata's flow engine
//     (analyzer/udpflows.go). For ICMP and other protocols there is no
//     flow state, so flow: is not checked and the header's addresses and
//     ports carry the direction as written.
//     stateless skips the state test and keeps the direction test when the
//     direction is known.
//   - Rule types (flowstate.go), as Suricata's SignatureSetType: an
//     IP-only rule (IP or transport protocol, no payload, flow or other
//     packet keyword, flowbits only set, no negated address)
//     runs on the first packet of each direction of a flow, not on every
//     packet (suricata-verify bug-5464-verdict-04); a rule naming http
//     with no buffer matches every packet of a flow after the first
//     request line seen in it (Suricata: once the protocol is detected,
//     which in IDS mode is when the request is acknowledged;
//     memcap-pressure). Flows for these are keyed by both ends and end
//     after Suricata's default flow timeouts or a new TCP connection.
//   - Rules that can never match here are left out with a reason
//     (skip.go, Matcher.Skipped): request buffers, urilen, dns.query and
//     tls.sni on to_client rules (Suricata 7 reads the query from
//     requests), response buffers on to_server and http2 rules (an http2
//     rule is not run on HTTP/1 responses), rules mixing
//     request and response buffers (responses are not paired with their
//     requests' buffers), file_data on protocols other than HTTP (and
//     tcp/ip rules, which run on HTTP), whose files are not extracted, and
//     rules naming only an application protocol other than HTTP/1, TLS and
//     SSH, which is not detected and would otherwise match every packet
//     (rdp-protocol).
//   - Decoder and header keywords (decoderkw.go): decode-event (on
//     pkthdr rules, which apply to every IP packet) tests
//     Facts.Events, the anomalies the decoder detects under Suricata's
//     names (packet/decodeevent.go); a rule naming an event it does not
//     detect is left out. ipopts, ip_proto (several all hold, as ET
//     writes them), fragoffset and tcp.mss read the decoded header.
//     ipv4.hdr, ipv6.hdr (with its extension headers), tcp.hdr (with
//     its options), udp.hdr, icmpv4.hdr (8 bytes, more for router
//     advertisements, timestamps and address masks, as Suricata sizes
//     them) and icmpv6.hdr (its first 8 bytes) are the raw headers, present
//     on packets without payload too; their contents are never the
//     prefilter pattern, so such rules run as content-less rules of
//     their ports. Packets the decoder only partly understood (an IPv4
//     option of a bad length, a refused TCP header) are inspected with
//     what their IP header says, as Suricata inspects invalid packets.
//     A tunnelled packet (GRE, VXLAN, Geneve, Teredo, IP in IP) is
//     inspected twice, as Suricata does: its outermost IP packet without
//     payload (so only header keywords can match it), then the packet
//     inside; flows, autoblock accounting and fingerprints see the
//     inner one only. Intermediate layers of nested tunnels are not
//     inspected (Suricata inspects each).
//   - A rule whose buffer is absent in a packet (empty payload, no HTTP
//     request, no Cookie header) does not match, even if all its contents
//     are negated, as in Suricata.
//   - Actions (action.go) as Suricata 7's: rules are ordered by action
//     (Config.ActionOrder, default pass, drop, reject, alert), flowbits
//     setters before readers, then priority, and a packet's alerts are
//     applied in that order. A matching pass rule ends them: the rules
//     after it are not run and their alerts not raised; it alerts itself
//     only with alert;. Drop and reject rules alert and set the packet's
//     Facts.Verdict. A drop or pass acts on the whole flow when the rule
//     is IP-only (or but for negated addresses), names an application
//     protocol or buffer, or matched the reassembled stream or a request
//     joined from segments; such a flow is not inspected again, in IDS
//     mode too, as Suricata's FLOW_ACTION_DROP and pass-flow (the first
//     of the two set wins; an ICMP error quoting the flow's packet
//     follows it). Whether a drop stops the packet is the analyzer's mode
//     (--simulate-ips), not the matcher's. At most Config.PacketAlertMax
//     alerts a packet (15), the first in rule order; in IDS mode the
//     alerts of a TCP request's application buffers count apart, as
//     Suricata inspects the request on a later packet.
//   - ip.src and ip.dst are the packet's addresses, 4 bytes for IPv4 and
//     16 for IPv6, with any protocol. An http rule whose only buffers
//     are these runs as the protocol-only http rules (below); a dns
//     one on UDP and TCP packets to or from port 53.
//   - dataset: and datarep: look up their whole sticky buffer in a named
//     set (Suricata's datasets): one set per name for the whole run,
//     shared by all rules and flows, as Suricata's are global; each
//     Matcher loads its own. set matches when it adds the buffer, unset
//     when it removes it, so a later packet's isset sees the change.
//     load and state files are read relative to the rule file's
//     directory (Suricata reads state files from its data directory,
//     which a replay has not got); a missing state file is an empty set.
//     Nothing is ever written: save and state do not save, and a run
//     starts from the files as they are. A line of a set file that does
//     not parse is skipped with a warning naming file:line, as Suricata
//     logs it and goes on; a rule whose set cannot be set up (another
//     type than the rule that declared it, a missing load file, a file
//     over the memcap) is refused, as in Suricata; one naming a set that
//     no earlier rule declares with a type is skipped, as only a
//     suricata.yaml (not read here) could declare it. Each set is capped at
//     its rule's memcap or Config.DatasetMemcap, counting 88 bytes plus
//     the key per entry; set refuses entries past it (counted in
//     Evicted).
//   - Events: Attacker is the matching packet's source and Victim its
//     destination (VictimPort its destination port), unless the rule has
//     target:src_ip (the source is attacked: Attacker is the destination).
//     A flow:to_client rule without target: matched what a server sent,
//     which is a malicious server's response or a protected one's leak
//     alike, so its event is Unattributed: Attacker stays the source, for
//     the record, and the analyzer blocks nobody for it. The attacker's
//     MAC is given when the packet had an Ethernet header and the
//     attacker is a private, link-local or loopback address; beyond a
//     router it is the router's.
package rulematch
