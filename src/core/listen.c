/* \summary: what every server shares: the address to bind, the "listening on" line */
#include <stdio.h>

#include "listen.h"
#include "out.h"

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
void listen_say(struct sockx *sx, const struct addr *a, bool to_stderr)
{
	char s[ADDR_TEXT], h[ADDR_TEXT];

	if (sx->json) {
		ev_begin(sx, "listening");
		ev_str(sx, "addr", addr_host(a, h, sizeof(h)));
		if (addr_port(a) >= 0)
			ev_int(sx, "port", addr_port(a));
		ev_end(sx);
		return;
	}
	/* Printed even under -q: it is how a script learns the port. */
	fprintf(to_stderr ? stderr : stdout, "listening on %s\n", addr_str(a, s, sizeof(s)));
	fflush(to_stderr ? stderr : stdout);
}
