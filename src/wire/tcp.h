/* \summary: the TCP header (RFC 9293 3.1) and its options (RFC 9293 3.2, RFC 7323, RFC 2018): parse */
#ifndef SOCKX_WIRE_TCP_H
#define SOCKX_WIRE_TCP_H

#include "buf.h"

#define TCP_HDR_MIN 20

/* Control bits, as in the 16-bit word after the sequence numbers. */
#define TCPF_FIN 0x01
#define TCPF_SYN 0x02
#define TCPF_RST 0x04
#define TCPF_PSH 0x08
#define TCPF_ACK 0x10
#define TCPF_URG 0x20
#define TCPF_ECE 0x40
#define TCPF_CWR 0x80

#define TCP_MAX_SACK 4

/* A TCP header, fields as numbers. */
struct tcp_header {
	uint16_t sport, dport;
	uint32_t seq, ack;
	uint8_t doff;		/* data offset, in 32-bit words, >= 5 */
	uint8_t reserved;	/* the 4 reserved bits */
	uint8_t flags;		/* TCPF_* */
	uint16_t win, cksum, urg;
	size_t hdr_len;		/* doff * 4 */
	/* Options that were present (has_*) and their values. */
	bool has_mss, has_wscale, sack_ok, has_ts;
	uint16_t mss;
	uint8_t wscale;
	uint32_t tsval, tsecr;
	int nsack;		/* SACK blocks (left, right edges) */
	uint32_t sack[TCP_MAX_SACK][2];
	int nopts;		/* options seen, NOPs and unknown kinds included */
};

/*
 * Parses the TCP segment at seg (len bytes: the IP payload). On WIRE_OK
 * *payload covers the data after the header and its options. WIRE_INVALID:
 * data offset < 5, or an option whose length is impossible (< 2, past the
 * header, or wrong for its kind). WIRE_TRUNC: fewer bytes than the data
 * offset claims (*payload is then empty).
 */
enum wire_status tcp_parse(const uint8_t *seg, size_t len,
			   struct tcp_header *h, struct rd *payload);

/*
 * The flags in tcpdump's words: F S R P . U E W in that order ("." is
 * ACK), "none" for none. buf: at least 10 bytes.
 */
const char *tcp_flags_str(uint8_t flags, char *buf, size_t len);

/*
 * The options as text ("mss 65495,sackOK,TS val 1 ecr 0,nop,wscale 7"),
 * cut to fit buf. Empty when there are none.
 */
const char *tcp_opts_str(const struct tcp_header *h, char *buf, size_t len);

#endif
