/* \summary: parse, resolve and print socket addresses */
#include <arpa/inet.h>
#include <ctype.h>
#include <netdb.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/un.h>

#include "addr.h"
#include "opt.h"
#include "out.h"

int addr_family(const struct addr *a)
{
	return a->ss.ss_family;
}

static int check_port(const char *port, char *err, size_t errlen)
{
	unsigned long v;

	if (*port >= '0' && *port <= '9') {
		if (opt_ulong(port, 0, 65535, &v) < 0) {
			snprintf(err, errlen, "invalid port '%s' (expected 0-65535 or a service name)", port);
			return -1;
		}
		return 0;
	}
	if (*port == '\0') {
		snprintf(err, errlen, "empty port");
		return -1;
	}
	return 0;
}

/* An error message in err, with a hint after it (ADDR_HINT). */
static void __attribute__((format(printf, 4, 5)))
err_hint(char *err, size_t errlen, const char *hint_text, const char *fmt, ...)
{
	va_list ap;
	size_t n;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	n = strlen(err);
	if (hint_text && n < errlen)
		snprintf(err + n, errlen - n, "%s%s", ADDR_HINT, hint_text);
}

int addr_fail(struct sockx *sx, int code, const char *what, const char *err)
{
	const char *h = strstr(err, ADDR_HINT);

	if (!h)
		return fail(sx, code, "%s%s", what, err);
	fail(sx, code, "%s%.*s", what, (int)(h - err), err);
	hint(sx, "%s", h + strlen(ADDR_HINT));
	return code;
}

/*
 * True if s is an IPv6 literal, maybe with a scope ("fe80::1%eth0"); the
 * scope is not looked up here, but it cannot hold a ':' (no interface
 * name does). in6 gets the address.
 */
static bool is_ip6(const char *s, size_t len, struct in6_addr *in6)
{
	char buf[INET6_ADDRSTRLEN];
	const char *pct = memchr(s, '%', len);
	size_t alen = pct ? (size_t)(pct - s) : len;

	if (pct && (pct + 1 == s + len || memchr(pct, ':', len - alen)))
		return false;
	if (alen >= sizeof(buf))
		return false;
	memcpy(buf, s, alen);
	buf[alen] = '\0';
	return inet_pton(AF_INET6, buf, in6) == 1;
}

/* A port as a word may spell it: digits, or a service name ("http"). */
static bool is_port_word(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && *s != '-')
			return false;
	return true;
}

/* "::a.b.c.d" other than :: and ::1: IPv4-compatible, deprecated (RFC 4291),
 * and what "::1:PORT" reads as. */
static bool is_v4_compat(const struct in6_addr *a)
{
	static const uint8_t zero[12];

	return memcmp(a->s6_addr, zero, sizeof(zero)) == 0 &&
	       !IN6_IS_ADDR_UNSPECIFIED(a) && !IN6_IS_ADDR_LOOPBACK(a);
}

size_t addr_v6_port_split(const char *w)
{
	const char *last = strrchr(w, ':');
	struct in6_addr whole, head;
	size_t hl;

	if (w[0] == '[' || !last || last == strchr(w, ':'))
		return 0;	/* bracketed, or fewer than two colons */
	hl = (size_t)(last - w);
	if (!is_port_word(last + 1) || !is_ip6(w, hl, &head))
		return 0;
	if (!is_ip6(w, strlen(w), &whole))
		return hl;	/* "fe80::1%eth0:80", "::1:12345": no address */
	/*
	 * Both read: "::1:9999" is ::0.1.153.153, an address nobody uses, or
	 * port 9999 of ::1, one everybody does. A decimal tail, where the
	 * whole is in the deprecated range and the head is not, is taken as
	 * a port; "fe80::1:2" and "2001:db8::1:80" are the addresses they
	 * spell, and so is "::ffff:1" (::255.255.0.1: its head, ::ffff, is
	 * as deprecated).
	 */
	if (strspn(last + 1, "0123456789") == strlen(last + 1) &&
	    is_v4_compat(&whole) && !is_v4_compat(&head))
		return hl;
	return 0;
}

/* "fe80::1%eth0": the scope must name an interface that exists (by name
 * or index); getaddrinfo would only say "Name or service not known". */
static int check_scope(const char *host, char *err, size_t errlen)
{
	const char *pct = strchr(host, '%');
	struct in6_addr in6;
	char name[IF_NAMESIZE];
	unsigned long idx;

	if (!pct || !is_ip6(host, strlen(host), &in6))
		return 0;
	if (opt_ulong(pct + 1, 1, UINT32_MAX, &idx) == 0 ?
	    if_indextoname((unsigned)idx, name) != NULL :
	    if_nametoindex(pct + 1) != 0)
		return 0;
	err_hint(err, errlen, "'ip link' lists the interfaces of this network namespace",
		 "unknown interface '%s' in '%s'", pct + 1, host);
	return -1;
}

/* True if host is an IPv4 or IPv6 literal (of either family). */
static bool is_literal(const char *host)
{
	struct addrinfo hints = { .ai_flags = AI_NUMERICHOST }, *res = NULL;

	if (getaddrinfo(host, NULL, &hints, &res) != 0)
		return false;
	freeaddrinfo(res);
	return true;
}

/* A link-local IPv6 address (fe80::/10) with no interface: connect,
 * bind and sendto refuse it (EINVAL) on a socket bound to no device. */
static bool needs_scope(const struct addr *a)
{
	const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)&a->ss;

	return a->ss.ss_family == AF_INET6 && s6->sin6_scope_id == 0 &&
	       IN6_IS_ADDR_LINKLOCAL(&s6->sin6_addr);
}

int addr_resolve(const char *host, const char *port, int family, int socktype,
		 struct addr *out, int max, char *err, size_t errlen)
{
	struct addrinfo hints, *res = NULL, *ai;
	bool unscoped = false;
	char hbuf[256], ll[INET6_ADDRSTRLEN], htext[256];
	size_t hl;
	int rc, n = 0;

	if (!host)
		host = family == AF_INET6 ? "::1" : "127.0.0.1";
	if (!port)
		port = DEFAULT_PORT;
	hl = strlen(host);
	if (hl == 0) {
		snprintf(err, errlen, "empty host");
		return -EXIT_USAGE;
	}
	if (host[0] == '[') {
		if (hl < 3 || host[hl - 1] != ']' || hl - 2 >= sizeof(hbuf)) {
			snprintf(err, errlen, "invalid address '%s'", host);
			return -EXIT_USAGE;
		}
		memcpy(hbuf, host + 1, hl - 2);
		hbuf[hl - 2] = '\0';
		host = hbuf;
	}
	if (check_port(port, err, errlen) < 0 || check_scope(host, err, errlen) < 0)
		return -EXIT_USAGE;
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = family;
	hints.ai_socktype = socktype & ~(ADDR_NUMERIC | ADDR_UNSCOPED);
	if (socktype & ADDR_NUMERIC)
		hints.ai_flags = AI_NUMERICHOST;
	rc = getaddrinfo(host, port, &hints, &res);
	if (rc == EAI_SERVICE) {
		snprintf(err, errlen, "unknown port or service '%s'", port);
		return -EXIT_USAGE;
	}
	if (rc == EAI_ADDRFAMILY || (rc == EAI_NONAME && family &&
				     is_literal(host))) {
		snprintf(err, errlen, "address '%s' is not %s", host,
			 family == AF_INET ? "IPv4 (-4)" : "IPv6 (-6)");
		return -EXIT_USAGE;
	}
	if (rc != 0) {
		snprintf(err, errlen, "cannot resolve '%s': %s", host,
			 gai_strerror(rc));
		return rc == EAI_NONAME || rc == EAI_FAIL ? -EXIT_FAIL : -EXIT_USAGE;
	}
	for (ai = res; ai && n < max; ai = ai->ai_next) {
		if (ai->ai_addrlen > sizeof(out[n].ss))
			continue;
		memset(&out[n], 0, sizeof(out[n]));
		memcpy(&out[n].ss, ai->ai_addr, ai->ai_addrlen);
		out[n].len = ai->ai_addrlen;
		if (!(socktype & ADDR_UNSCOPED) && needs_scope(&out[n])) {
			unscoped = true;
			addr_host(&out[n], ll, sizeof(ll));
			continue;
		}
		n++;
	}
	if (n == 0 && unscoped) {
		snprintf(htext, sizeof(htext), "add the interface it is on: %s%%IFACE, "
			 "or [%s%%IFACE]:PORT with a port ('ip -6 addr' shows "
			 "which interface has fe80::/64)", ll, ll);
		if (strcmp(ll, host) == 0)
			err_hint(err, errlen, htext, "link-local address '%s' needs "
				 "an interface (a scope)", host);
		else
			err_hint(err, errlen, htext, "'%s' is the link-local address "
				 "%s, which needs an interface (a scope)", host, ll);
	}
	freeaddrinfo(res);
	if (n == 0 && unscoped)
		return -EXIT_USAGE;
	if (n == 0) {
		snprintf(err, errlen, "no usable address for '%s'", host);
		return -EXIT_FAIL;
	}
	return n;
}

int addr_from_word(const char *w, const char *defport, int family,
		   int socktype, struct addr *out, int max, char *err,
		   size_t errlen)
{
	char host[256], hint_text[512];
	const char *colon, *close;
	struct in6_addr in6;
	size_t hl;
	bool whole;

	/* "[v6]:port", "[v6]", "host:port", or a host ("::1", "localhost"). */
	if (w[0] == '[') {
		close = strchr(w, ']');
		if (!close || (close[1] && close[1] != ':') ||
		    (size_t)(close - w) + 2 > sizeof(host)) {
			snprintf(err, errlen, "invalid address '%s'", w);
			return -EXIT_USAGE;
		}
		memcpy(host, w, (size_t)(close - w) + 1);
		host[close - w + 1] = '\0';
		return addr_resolve(host, close[1] ? close + 2 : defport, family,
				    socktype, out, max, err, errlen);
	}
	hl = addr_v6_port_split(w);
	if (hl) {	/* "::1:9999": refused, with both spellings */
		whole = is_ip6(w, strlen(w), &in6);
		snprintf(hint_text, sizeof(hint_text), "for port %s of %.*s write "
			 "[%.*s]:%s, or %.*s %s as two words%s%s%s", w + hl + 1,
			 (int)hl, w, (int)hl, w, w + hl + 1, (int)hl, w, w + hl + 1,
			 whole ? "; for the address write [" : "", whole ? w : "",
			 whole ? "]" : "");
		err_hint(err, errlen, hint_text, "%s address '%s': an IPv6 address "
			 "with a port needs brackets", whole ? "ambiguous" : "invalid", w);
		return -EXIT_USAGE;
	}
	colon = strchr(w, ':');
	if (colon && !strchr(colon + 1, ':')) {
		if ((size_t)(colon - w) >= sizeof(host)) {
			snprintf(err, errlen, "host name too long");
			return -EXIT_USAGE;
		}
		memcpy(host, w, (size_t)(colon - w));
		host[colon - w] = '\0';
		return addr_resolve(host, colon + 1, family, socktype, out,
				    max, err, errlen);
	}
	return addr_resolve(w, defport, family, socktype, out, max, err, errlen);
}

int addr_from_args(int argc, char **argv, int family, int socktype,
		   struct addr *out, int max, char *err, size_t errlen)
{
	if (argc == 0)
		return addr_resolve(NULL, NULL, family, socktype, out, max, err, errlen);
	if (argc == 2)
		return addr_resolve(argv[0], argv[1], family, socktype, out, max, err, errlen);
	if (argc > 2) {
		snprintf(err, errlen, "too many arguments (from '%s')", argv[2]);
		return -EXIT_USAGE;
	}
	return addr_from_word(argv[0], NULL, family, socktype, out, max, err, errlen);
}

int addr_unix(const char *path, struct addr *out, char *err, size_t errlen)
{
	struct sockaddr_un *sun = (struct sockaddr_un *)&out->ss;
	size_t n = path ? strlen(path) : 0;

	memset(out, 0, sizeof(*out));
	sun->sun_family = AF_UNIX;
	if (n == 0 || (path[0] == '@' && n == 1)) {
		snprintf(err, errlen, "empty UNIX socket path");
		return -1;
	}
	/*
	 * sun_path is 108 bytes: 107 and a NUL for a path; an abstract name
	 * is the NUL and 108 - 1 bytes after it, with no terminator: "@"
	 * and 107 bytes, 108 in all.
	 */
	if (path[0] == '@' && n - 1 > sizeof(sun->sun_path) - 1) {
		snprintf(err, errlen, "abstract UNIX socket name too long: %zu bytes "
			 "after the @, at most %zu", n - 1, sizeof(sun->sun_path) - 1);
		return -1;
	}
	if (path[0] != '@' && n > sizeof(sun->sun_path) - 1) {
		snprintf(err, errlen, "UNIX socket path too long: %zu bytes, at most %zu",
			 n, sizeof(sun->sun_path) - 1);
		return -1;
	}
	if (path[0] == '@') {
		memcpy(sun->sun_path + 1, path + 1, n - 1);
		out->len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n);
	} else {
		memcpy(sun->sun_path, path, n);
		out->len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n + 1);
	}
	return 0;
}

static const char *unix_str(const struct addr *a, char *buf, size_t len)
{
	const struct sockaddr_un *sun = (const struct sockaddr_un *)&a->ss;
	size_t off = offsetof(struct sockaddr_un, sun_path), n;

	if (a->len <= off) {
		snprintf(buf, len, "(unnamed)");
		return buf;
	}
	/* Any bytes a peer chose: escaped (esc_buf), never raw to a terminal. */
	n = a->len - off;
	if (sun->sun_path[0] == '\0' && len > 1) {	/* abstract: bytes after the NUL */
		buf[0] = '@';
		esc_buf(buf + 1, len - 1, sun->sun_path + 1, n - 1, false);
	} else {
		esc_buf(buf, len, sun->sun_path, strnlen(sun->sun_path, n), false);
	}
	return buf;
}

const char *addr_host(const struct addr *a, char *buf, size_t len)
{
	const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)&a->ss;
	char ifname[IF_NAMESIZE];
	size_t n;

	switch (a->ss.ss_family) {
	case AF_INET:
		inet_ntop(AF_INET, &((const struct sockaddr_in *)&a->ss)->sin_addr, buf, (socklen_t)len);
		return buf;
	case AF_INET6:
		inet_ntop(AF_INET6, &s6->sin6_addr, buf, (socklen_t)len);
		n = strlen(buf);
		if (s6->sin6_scope_id) {
			if (!if_indextoname(s6->sin6_scope_id, ifname))
				snprintf(ifname, sizeof(ifname), "%u", s6->sin6_scope_id);
			snprintf(buf + n, len - n, "%%%s", ifname);
		}
		return buf;
	case AF_UNIX:
		return unix_str(a, buf, len);
	default:
		snprintf(buf, len, "(family %d)", a->ss.ss_family);
		return buf;
	}
}

const char *addr_str(const struct addr *a, char *buf, size_t len)
{
	char host[ADDR_TEXT];

	addr_host(a, host, sizeof(host));
	if (a->ss.ss_family == AF_INET)
		snprintf(buf, len, "%s:%d", host, addr_port(a));
	else if (a->ss.ss_family == AF_INET6)
		snprintf(buf, len, "[%s]:%d", host, addr_port(a));
	else
		snprintf(buf, len, "%s", host);
	return buf;
}

int addr_port(const struct addr *a)
{
	if (a->ss.ss_family == AF_INET)
		return ntohs(((const struct sockaddr_in *)&a->ss)->sin_port);
	if (a->ss.ss_family == AF_INET6)
		return ntohs(((const struct sockaddr_in6 *)&a->ss)->sin6_port);
	return -1;
}

void addr_set_port(struct addr *a, int port)
{
	if (a->ss.ss_family == AF_INET)
		((struct sockaddr_in *)&a->ss)->sin_port = htons((uint16_t)port);
	else if (a->ss.ss_family == AF_INET6)
		((struct sockaddr_in6 *)&a->ss)->sin6_port = htons((uint16_t)port);
}

bool addr_is_any(const struct addr *a)
{
	if (a->ss.ss_family == AF_INET)
		return ((const struct sockaddr_in *)&a->ss)->sin_addr.s_addr == htonl(INADDR_ANY);
	if (a->ss.ss_family == AF_INET6)
		return IN6_IS_ADDR_UNSPECIFIED(&((const struct sockaddr_in6 *)&a->ss)->sin6_addr);
	return false;
}
