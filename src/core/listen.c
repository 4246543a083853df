/* \summary: what every server shares: the address to bind, the "listening on" line */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "event.h"
#include "listen.h"
#include "out.h"
#include "sig.h"

int listen_addr(struct sockx *sx, const char *bind, const char *port,
		int type, bool v6only, struct listen_opts *lo, struct addr *a)
{
	char err[256];
	size_t hl = bind ? addr_v6_port_split(bind) : 0;
	int n;

	if (hl) {	/* "-b ::1:9999": the port is -p */
		fail(sx, EXIT_USAGE, "ambiguous --bind '%s': an address, the port goes in -p", bind);
		hint(sx, "for port %s of %.*s write -b %.*s -p %s", bind + hl + 1,
		     (int)hl, bind, (int)hl, bind, bind + hl + 1);
		return EXIT_USAGE;
	}
	n = addr_resolve(bind, port, sx->family, type, a, 1, err, sizeof(err));
	if (n < 0)
		return addr_fail(sx, -n, "", err);
	if (addr_family(a) == AF_INET6 && addr_is_any(a))
		lo->v6only = v6only;	/* "::" takes IPv4 too unless --v6only */
	else if (v6only)
		return fail(sx, EXIT_USAGE, "--v6only needs an IPv6 wildcard bind (-b ::)");
	return EXIT_OK;
}

/* "listening on ADDR:PORT": the line scripts wait for. */
void listen_say(struct sockx *sx, const struct addr *a)
{
	char s[ADDR_TEXT], h[ADDR_TEXT];
	int port = addr_port(a);

	/*
	 * Signals are taken before the line: a script that stops the server
	 * as soon as it read "listening on" gets the summary, not a kill.
	 */
	if (sig_catch_stop() < 0)
		warn_msg(sx, "cannot catch SIGINT and SIGTERM: %s", strerror(errno));
	addr_str(a, s, sizeof(s));
	/* EV_KEEPQ: under -q too, it is how a script learns the port */
	EMIT(sx, listening, .addr = addr_host(a, h, sizeof(h)),
	     .port = port >= 0 ? port : EV_NONE, .where = s);
}
