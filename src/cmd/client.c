/*
 * \summary: what the clients share: the peer from HOST, PORT and -p
 */
#include <stdio.h>
#include <string.h>

#include "cmd.h"

int client_port_opt(struct sockx *sx, const char **port, const char *arg)
{
	if (*port)
		return fail(sx, EXIT_USAGE, "PORT given twice (-p %s and -p %s)", *port, arg);
	*port = arg;
	return EXIT_OK;
}

/* True if w names a port itself: "HOST:PORT" or "[v6]:PORT", as addr_from_word reads it. */
static bool word_has_port(const char *w)
{
	const char *c;

	if (w[0] == '[') {
		c = strchr(w, ']');
		return c && c[1] == ':';
	}
	c = strchr(w, ':');
	return c && !strchr(c + 1, ':');
}

int client_peer(struct sockx *sx, const char *port, int argc, char **argv,
		int socktype, struct addr *dst, int max)
{
	char err[256];
	int n;

	if (port && argc == 2)
		return -fail(sx, EXIT_USAGE, "PORT given twice (-p %s and '%s')", port, argv[1]);
	if (port && argc == 1 && word_has_port(argv[0]))
		return -fail(sx, EXIT_USAGE, "PORT given twice (-p %s and '%s')", port, argv[0]);
	if (port && argc == 0)
		n = addr_resolve(NULL, port, sx->family, socktype, dst, max, err, sizeof(err));
	else if (port && argc == 1)
		n = addr_from_word(argv[0], port, sx->family, socktype, dst, max, err, sizeof(err));
	else
		n = addr_from_args(argc, argv, sx->family, socktype, dst, max, err, sizeof(err));
	if (n < 0)
		return -addr_fail(sx, -n, "", err);
	return n;
}
