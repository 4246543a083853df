/* \summary: socket addresses: HOST PORT, HOST:PORT, [v6]:PORT, UNIX paths */
#ifndef SOCKX_ADDR_H
#define SOCKX_ADDR_H

#include <sys/socket.h>

#include "../sockx.h"

#define ADDR_MAX 8		/* addresses kept from one name */
#define ADDR_TEXT 440		/* "[v6%scope]:port", or a unix name escaped (4 per byte) */
#define DEFAULT_PORT "9999"
/* Or'd into socktype: literals only, never a name lookup (fuzzing, tests). */
#define ADDR_NUMERIC 0x40000000
/* Or'd into socktype: keep a link-local IPv6 address without a scope
 * (the caller binds the socket to a device, or sets the scope itself). */
#define ADDR_UNSCOPED 0x20000000
/* Where an error message of these functions ends and its hint starts. */
#define ADDR_HINT "\nhint: "

struct addr {
	struct sockaddr_storage ss;
	socklen_t len;
};

/*
 * Resolves host and port (either may be NULL for the default: 127.0.0.1,
 * or ::1 when family is AF_INET6; port 9999) into up to max addresses.
 * host may be bracketed ("[::1]") or scoped ("fe80::1%lo"); port is a
 * number 0-65535 or a service name. family is 0, AF_INET or AF_INET6.
 * Returns the count, or -EXIT_USAGE / -EXIT_FAIL with a message in err.
 */
int addr_resolve(const char *host, const char *port, int family, int socktype,
		 struct addr *out, int max, char *err, size_t errlen);

/*
 * Prints an error of these functions (after what: "--source: "), and its
 * hint on a line of its own when it has one. Returns code.
 */
int addr_fail(struct sockx *sx, int code, const char *what, const char *err);

/*
 * An unbracketed word that reads as an IPv6 address and a port:
 * "::1:9999", "fe80::1%eth0:80". Either the whole word is no IPv6 address
 * while the part before its last colon is, and the rest could be a port;
 * or both read, and the whole is an IPv4-compatible address (::a.b.c.d,
 * deprecated) with a decimal last group: what "::1:PORT" spells. Returns
 * the length of the address part, or 0 when w is no such word ("::1",
 * "fe80::1:2", "::ffff:1", "[::1]:80", "host:80").
 */
size_t addr_v6_port_split(const char *w);

/*
 * The positional address of a client: none (defaults), "HOST:PORT",
 * "[v6]:PORT", "HOST" alone, or "HOST" "PORT". As addr_resolve().
 */
int addr_from_args(int argc, char **argv, int family, int socktype,
		   struct addr *out, int max, char *err, size_t errlen);

/* One word, "HOST:PORT", "[v6]:PORT" or "HOST" (then defport; NULL: 9999). */
int addr_from_word(const char *w, const char *defport, int family,
		   int socktype, struct addr *out, int max, char *err,
		   size_t errlen);

/*
 * A UNIX address: a filesystem path, or "@name" in the abstract
 * namespace. Returns 0, or -1 with a message in err (empty, or longer
 * than sun_path holds: never silently cut).
 */
int addr_unix(const char *path, struct addr *out, char *err, size_t errlen);

/* "127.0.0.1:9999", "[::1]:9999", "@name", "/path", "(unnamed)". */
const char *addr_str(const struct addr *a, char *buf, size_t len);
/* The host part alone ("::1", not "[::1]"). */
const char *addr_host(const struct addr *a, char *buf, size_t len);
/* The port, or -1 for a non-IP address. */
int addr_port(const struct addr *a);
int addr_family(const struct addr *a);
/* Sets the port of an IP address. */
void addr_set_port(struct addr *a, int port);
/* True for a wildcard IP address (0.0.0.0 or ::). */
bool addr_is_any(const struct addr *a);

#endif
