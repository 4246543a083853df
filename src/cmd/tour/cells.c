/* \summary: the tour's cells, one table row each */
#include <netinet/in.h>
#include <string.h>

#include "tour.h"

#define ARGV(...) ((const char *const[]){ __VA_ARGS__, NULL })

/*
 * Each row: the socket() the cell exercises, the server and the client
 * as a user would type them (cli.md), and the check. A row whose
 * commands are not in cmds.h yet is reported "not built in this binary"
 * and runs as soon as they are merged.
 */
const struct tour_cell tour_cells[] = {
	{ "tcp4", "TCP over IPv4", AF_INET, SOCK_STREAM, IPPROTO_TCP,
	  "tcp-server", ARGV("-4", "-b", "127.0.0.1", "-p", "0", "--mode", "upper"),
	  "tcp-client", ARGV("-4", "-m", "{msg}", "-w", "5", "--connect-timeout", "5", "127.0.0.1", "{port}"),
	  CHECK_UPPER, CELL_WIRE },
	{ "tcp6", "TCP over IPv6", AF_INET6, SOCK_STREAM, IPPROTO_TCP,
	  "tcp-server", ARGV("-6", "-b", "::1", "-p", "0", "--mode", "upper"),
	  "tcp-client", ARGV("-6", "-m", "{msg}", "-w", "5", "--connect-timeout", "5", "::1", "{port}"),
	  CHECK_UPPER, CELL_WIRE },
	{ "udp4", "UDP over IPv4", AF_INET, SOCK_DGRAM, IPPROTO_UDP,
	  "udp-server", ARGV("-4", "-b", "127.0.0.1", "-p", "0", "--mode", "upper"),
	  "udp-client", ARGV("-4", "-m", "{msg}", "-w", "2", "127.0.0.1", "{port}"),
	  CHECK_UPPER, CELL_WIRE },
	{ "udp6", "UDP over IPv6", AF_INET6, SOCK_DGRAM, IPPROTO_UDP,
	  "udp-server", ARGV("-6", "-b", "::1", "-p", "0", "--mode", "upper"),
	  "udp-client", ARGV("-6", "-m", "{msg}", "-w", "2", "::1", "{port}"),
	  CHECK_UPPER, CELL_WIRE },
	/*
	 * "-l" right before the path: cli.md can be read as a flag plus a
	 * positional PATH or as "-l PATH"; this order means the same either way.
	 * The address is abstract and private to this tour and cell, so no
	 * file is ever created and two tours never meet.
	 */
	{ "unix-stream", "UNIX stream", AF_UNIX, SOCK_STREAM, 0,
	  "unix", ARGV("--stream", "--mode", "upper", "-l", "{unix}"),
	  "unix", ARGV("--stream", "-m", "{msg}", "{unix}"),
	  CHECK_UPPER, 0 },
	{ "unix-dgram", "UNIX datagram", AF_UNIX, SOCK_DGRAM, 0,
	  "unix", ARGV("--dgram", "--mode", "upper", "-l", "{unix}"),
	  "unix", ARGV("--dgram", "-m", "{msg}", "{unix}"),
	  CHECK_UPPER, 0 },
	{ "unix-seqpacket", "UNIX seqpacket", AF_UNIX, SOCK_SEQPACKET, 0,
	  "unix", ARGV("--seqpacket", "--mode", "upper", "-l", "{unix}"),
	  "unix", ARGV("--seqpacket", "-m", "{msg}", "{unix}"),
	  CHECK_UPPER, 0 },
	/* No server: the kernel answers echo requests itself. */
	{ "icmp4", "raw ICMP over IPv4, IP_HDRINCL", AF_INET, SOCK_RAW, IPPROTO_ICMP,
	  NULL, NULL,
	  "raw-icmp", ARGV("-4", "-c", "1", "-W", "2", "-s", "{len}", "--pattern", "{hex}", "127.0.0.1"),
	  CHECK_ECHO, CELL_RAW | CELL_WIRE },
	{ "icmp6", "raw ICMPv6", AF_INET6, SOCK_RAW, IPPROTO_ICMPV6,
	  NULL, NULL,
	  "raw-icmp", ARGV("-6", "-c", "1", "-W", "2", "-s", "{len}", "--pattern", "{hex}", "::1"),
	  CHECK_ECHO, CELL_RAW | CELL_WIRE },
	/* SEQPACKET over IP is SCTP (RFC 6458 one-to-one style). */
	{ "sctp4", "SEQPACKET over IPv4 (SCTP)", AF_INET, SOCK_SEQPACKET, IPPROTO_SCTP,
	  "sctp-server", ARGV("-4", "-b", "127.0.0.1", "-p", "0", "--mode", "upper"),
	  "sctp-client", ARGV("-4", "-m", "{msg}", "127.0.0.1", "{port}"),
	  CHECK_UPPER, CELL_WIRE },
};
const size_t tour_ncells = ARRAY_SIZE(tour_cells);

const struct tour_cell *tour_cell_find(const char *name)
{
	size_t i;

	for (i = 0; i < tour_ncells; i++)
		if (strcmp(tour_cells[i].name, name) == 0)
			return &tour_cells[i];
	return NULL;
}
