/*
 * \summary: wire verification: capture one flow with libpcap while a
 * command runs, then prove the wire carried what the command did
 *
 * A command wires it in with a few lines (tcp-client is the model; this
 * is udp-client's shape):
 *
 *	struct capture_spec cs = {
 *		.proto = IPPROTO_UDP, .remote = peer, .local = local,
 *		.verify = o.verify, .pcap_path = o.pcap,
 *	};
 *	struct capture *cap = NULL;
 *
 *	if (o.verify || o.pcap) {
 *		cap = capture_open(sx, &cs, &rc);
 *		if (!cap)
 *			return rc;
 *	} else {
 *		priv_drop_all();
 *	}
 *	...
 *	capture_set_local(cap, &local);
 *	capture_udp_sent(cap, buf, n);
 *	capture_udp_received(cap, buf, n);
 *	...
 *	return capture_finish(cap, rc);
 *
 * capture_open before the first packet of the flow (for TCP: before
 * connect; for UDP: after connect or bind, which send nothing, so the
 * local port is known; for raw sockets: after socket(), which needs
 * CAP_NET_RAW that capture_open then drops). NULL from it means nothing
 * may be sent: return its rc (4 without CAP_NET_RAW). Record each step
 * right after it happened; every capture_* call takes a NULL capture and
 * does nothing, so no "if (cap)" is needed. capture_finish last, with the
 * exit code the exchange ended with; it returns the command's.
 *
 * What capture_open does, in order: finds the interface the flow uses
 * (a route lookup over netlink: lo for loopback and for this host's own
 * addresses) and the source address the kernel will pick, opens that
 * interface with CAP_NET_RAW raised around pcap_activate() only
 * (immediate mode, a 32 MiB ring, whole packets), sets a BPF filter for
 * exactly this flow (protocol, both addresses, the peer's port, our port
 * when known; ICMP: echo with our identifier, and errors quoting it),
 * opens the --pcap temporary file, drops every capability (unless
 * keep_priv), and starts a reader thread. When it returns, the kernel
 * is already queueing the flow's packets: the capture is ready before
 * the command's first packet. Trace at -v: "capture: ready on lo ...".
 *
 * What capture_finish does: asks the reader to drain (packets still in
 * the ring, then stragglers: it stops as soon as the flow is complete
 * (TCP: both FINs acknowledged, or a reset; datagrams: as many on the
 * wire as recorded), or after 300 ms of silence, or 1.5 s in all), then
 * writes the pcap (complete, or not at all: temp file beside the target,
 * then rename), then, with verify, compares and prints
 * "verified: N packets out, M in, B bytes of payload match" (JSON: a
 * "verify" event), or fails with exit 3 naming what differed. Packets
 * libpcap reports dropped, or captured cut short, make the result
 * "inconclusive" (exit 3 too), never "verified".
 *
 * What is compared:
 *  - TCP: the handshake (SYN, SYN-ACK acknowledging it, an ACK of that),
 *    the close (a FIN each way, at the end of each stream, each one
 *    acknowledged), and both byte streams, reassembled by sequence number
 *    (retransmissions, overlaps, coalesced and split segments and
 *    out-of-order arrival are normal TCP, not differences), against what
 *    the program wrote and read. Neither side is kept whole: both are
 *    digested as they go (the first 4 KiB verbatim, then a hash per
 *    64 KiB block of the stream), so 8 MiB or 8 GiB cost the same memory;
 *    only segments that arrive ahead of a hole are held, up to 16 MiB.
 *  - UDP: each datagram sent and received, in order: size and bytes.
 *  - Raw (ICMP/ICMPv6): each packet as the program built it, byte for
 *    byte against the wire, except the fields the kernel fills in, which
 *    are reported as such ("kernel filled in: id 0x1c46, header checksum
 *    0x3cd3") rather than
 *    as differences: with IP_HDRINCL the IPv4 checksum and total length
 *    always, the ID and the source address when left zero
 *    (wire/kfield.h's table, which the command reads); the ICMPv6 checksum
 *    on a raw ICMPv6 socket.
 * A packet recorded as sent that never reached the wire (a firewall
 * dropped it before the interface) is a failure, whatever the reason.
 *
 * If the exchange itself failed (exch_rc != 0), the close is not checked,
 * only what the program did: every byte it wrote and read must be on the
 * wire (each stream at least as long, the common part equal), every
 * datagram and packet it recorded too. A difference there still gives 3
 * (it explains the failure); otherwise exch_rc comes back unchanged.
 *
 * Threads: capture_open starts one reader thread; every other function
 * here must be called from the thread that called capture_open.
 */
#ifndef SOCKX_CAPTURE_H
#define SOCKX_CAPTURE_H

#include "../sockx.h"
#include "../core/addr.h"
#include "../wire/kfield.h"

/* One flow to capture. Zero-initialise, then set what applies. */
struct capture_spec {
	int proto;		/* IPPROTO_TCP, _UDP, _ICMP or _ICMPV6 */
	struct addr remote;	/* the peer (port ignored for ICMP) */
	struct addr local;	/* ss_family 0: from the route; port 0: not known yet */
	int icmp_id;		/* ICMP/ICMPv6 echo identifier */
	const char *iface;	/* NULL: the route's interface */
	const char *pcap_path;	/* --pcap FILE, or NULL */
	bool verify;		/* --verify: compare and print a verdict */
	bool keep_priv;		/* do not drop capabilities (tour: more cells follow) */
	bool data_on_stdout;	/* stdout carries data (netcat mode): the
				   verdict line goes to stderr instead */
	bool timeline;		/* --timeline: hand the flow's packets, with
				   times on the calls' clock, to sx->timeline
				   (core/timeline.h) at capture_finish */
	bool optional;		/* only for the timeline: when the interface
				   cannot be opened (no CAP_NET_RAW), say why
				   in the timeline and return NULL with *rc 0 */
	bool server;		/* only for the timeline (tcp-server): every
				   connection to and from .local (address and
				   listening port set; .remote ignored), each
				   packet's direction by which end is ours;
				   no --verify (one reassembly per flow) */
	bool listener_peer;	/* with .server: the listening end is the
				   timeline's peer, its packets drawn as
				   the peer's (a lab runs both ends: its
				   client is the left column) */
	unsigned snaplen;	/* 0: whole packets of any size; else the
				   most bytes a packet of the flow can have
				   with its link header (a longer one counts
				   as cut short): more of them fit the ring */
};

struct capture;

/*
 * Opens the capture for spec (see above) and returns it ready, or NULL
 * with the error printed ("cannot capture on lo: Operation not
 * permitted" and a hint) and *rc set: 4 without CAP_NET_RAW, 2 for a bad
 * spec, 1 otherwise. On NULL nothing was sent and nothing is left open.
 */
struct capture *capture_open(struct sockx *sx, const struct capture_spec *spec,
			     int *rc);

/*
 * Our address, once the kernel chose it (getsockname after connect or
 * bind). TCP needs it: the verdict finds the connection by this port
 * (never called, as when connect failed: nothing to verify). UDP: the
 * datagrams' local port, unless spec.local had it.
 */
void capture_set_local(struct capture *c, const struct addr *local);

/*
 * TCP: bytes the program handed to send() and the kernel took, and bytes
 * recv() returned, in order, in any chunks.
 */
void capture_tcp_sent(struct capture *c, const void *p, size_t n);
void capture_tcp_received(struct capture *c, const void *p, size_t n);

/* UDP: one datagram's payload, after a send that succeeded / a read. */
void capture_udp_sent(struct capture *c, const void *p, size_t n);
void capture_udp_received(struct capture *c, const void *p, size_t n);

/*
 * Flags of capture_raw_*: which fields the kernel fills in (KF_* of
 * wire/kfield.h: the table of those fields, its masks and offsets), and
 * layers.
 */
#define CAPTURE_RAW_L4 0x100		/* p is the ICMP/ICMPv6 message only
					   (no IP header: raw ICMPv6 sockets,
					   raw IPv4 without IP_HDRINCL) */

/*
 * Raw sockets: a packet as built and handed to sendto() (a whole IPv4
 * packet under IP_HDRINCL, else the ICMP/ICMPv6 message with
 * CAPTURE_RAW_L4), and flags of kernel-filled fields; a packet as
 * recvfrom() returned it (IPv4 raw sockets: with its IP header; ICMPv6:
 * the message, so CAPTURE_RAW_L4). Record as received only what the
 * program took as an answer: on lo a raw ICMP socket also reads its own
 * echo requests, which are on the wire as sent packets, not received ones.
 */
void capture_raw_sent(struct capture *c, const void *p, size_t n, unsigned flags);
void capture_raw_received(struct capture *c, const void *p, size_t n, unsigned flags);

/*
 * Drains, writes --pcap, verifies and prints, as described above; frees
 * c. exch_rc: the exit code the exchange ended with. Returns the exit
 * code of the command: exch_rc, or 3 (mismatch or inconclusive), or 1
 * if the pcap file could not be written. c NULL: returns exch_rc.
 */
int capture_finish(struct capture *c, int exch_rc);

#endif
