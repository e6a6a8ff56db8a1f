// Package rulematch runs Suricata/Snort rules (parsed by signatures/rules)
// on packets: compiled once, then run on every IPv4/IPv6 packet, after
// Suricata's detect engine. Its files follow the engine's stages: config.go
// (tunables), compile.go (a rule's checks and chains), build.go (grouping
// by protocol class and port), prefilter.go (the multi-pattern search),
// engine.go (the per-packet list of stages), inspect.go (buffers and
// their chains), header.go, content.go, pcre.go, bytecheck.go (one keyword
// family each, compile beside match), threshold.go, stream.go, http.go,
// flowbits.go, flowstate.go (IP-only and protocol-only http rules),
// dns.go (DNS requests, dns.query), tls.go (ClientHellos, tls.sni),
// dataset.go and datasetload.go (dataset:, datarep: and their sets) and
// skip.go (rules left out).
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
// recursion limit. Thresholds follow detect-engine-threshold.c.
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
//     segments or records, or after other bytes (STARTTLS), is not seen.
//     The name is a span of the payload, so the prefilter looks for its
//     contents as written. tls.sni on to_client rules is left out.
//   - pcre runs Go's RE2 on the buffer presented one rune per byte, as
//     signatures/rules compiles patterns for (\xff is U+00FF): "." takes
//     one byte and bytes >= 0x80 match as in PCRE. A retry after a failed
//     relative chain searches a slice from the last match's start + 1, so
//     ^ and \A there cannot match (as with PCRE's start_offset), but a \b
//     or multiline ^ at the slice start sees no byte before it.
//   - flow: the analyzer follows TCP connections and UDP flows. For TCP, to_server
//     and to_client compare with Facts.Dir; established is a packet of a
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
//     packet keyword, flowbits only set, no negated address, not pass)
//     runs on the first packet of each direction of a flow, not on every
//     packet (suricata-verify bug-5464-verdict-04); a rule naming http
//     with no buffer matches every packet of a flow after the first
//     request line seen in it (Suricata: once the protocol is detected,
//     which in IDS mode is when the request is acknowledged;
//     memcap-pressure). Flows for these are keyed by both ends and end
//     after Suricata's default flow timeouts or a new TCP connection.
//   - Rules that can never match here are left out with a reason
//     (skip.go, Matcher.Skipped): http buffers other than the request
//     buffers ("http response buffers are not supported"), http.header,
//     http.cookie, http.header_names, http.header.raw, http.protocol,
//     http.content_type and http.connection on to_client rules (Suricata
//     reads the response's), request buffers, dns.query and tls.sni on to_client
//     rules (Suricata 7 reads the query from requests), and rules naming only an
//     application protocol other than HTTP/1, which is not detected and
//     would otherwise match every packet (rdp-protocol).
//   - A rule whose buffer is absent in a packet (empty payload, no HTTP
//     request, no Cookie header) does not match, even if all its contents
//     are negated, as in Suricata.
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
//   - pass: a matching pass rule silences every other rule on that packet
//     (Suricata's default action order puts pass first); pass rules emit
//     nothing.
//   - Events: Attacker is the matching packet's source and Victim its
//     destination (VictimPort its destination port), for to_client rules
//     too: the rule matched what that host sent. The source MAC is given
//     when the packet had an Ethernet header and the source is a private,
//     link-local or loopback address; beyond a router it is the router's.
package rulematch
