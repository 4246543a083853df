/* \summary: lab wrong-port: a client on a port nobody listens on gets a RST, at once */
#include <errno.h>
#include <math.h>
#include <netinet/in.h>
#include <string.h>
#include <unistd.h>

#include "lab.h"

/* A port on loopback that nobody listens on: bound, never listened. */
static int closed_port(struct lab_run *r, int *fd, struct addr *a)
{
	*fd = lab_keep(r, sock_socket(r->sx, AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
	if (*fd < 0)
		return lab_cannot(r, EXIT_FAIL, "socket: %s", strerror(errno));
	lab_loopback(a, AF_INET, 0);
	if (sock_bind(r->sx, *fd, a) < 0 || sock_name(r->sx, *fd, a) < 0)
		return lab_cannot(r, EXIT_FAIL, "bind 127.0.0.1:0: %s", strerror(errno));
	return EXIT_OK;
}

/* A blocking connect to a: its errno (0: connected) and how long it took. */
static int try_connect(struct lab_run *r, const struct addr *a, double *ms)
{
	int fd = sock_socket(r->sx, AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), err;
	double t;

	if (fd < 0)
		return errno;
	sock_set_timeout(r->sx, fd, SO_SNDTIMEO, lab_ms_left(r, 5000));
	t = now_mono();
	err = sock_connect(r->sx, fd, a) < 0 ? errno : 0;
	*ms = (now_mono() - t) * 1000.0;
	sock_close(r->sx, fd);
	return err;
}

static int run(struct lab_run *r)
{
	struct addr srv, none;
	int lfd, hold = -1, err_none, err_srv, rc;
	long long rst0, rst1;
	double ms_none, ms_srv;

	lfd = lab_listener(r, AF_INET, SOCK_STREAM, 16, &srv);
	if (lfd < 0)
		return r->exit;
	rc = closed_port(r, &hold, &none);
	if (rc != EXIT_OK)
		return rc;
	rst0 = lab_proc_counter("/proc/net/snmp", "Tcp:", "OutRsts");
	lab_timeline_begin(r, &none, "nobody listens");
	err_none = try_connect(r, &none, &ms_none);
	lab_timeline_end(r);
	rst1 = lab_proc_counter("/proc/net/snmp", "Tcp:", "OutRsts");
	err_srv = try_connect(r, &srv, &ms_srv);
	lab_observe(r, "connect() to the port nobody listens on (the tutorial's 6999)",
		    ms_none, "ms", NULL, "%s after %.3f",
		    err_none ? strerrorname_np(err_none) : "connected", ms_none);
	if (rst0 >= 0 && rst1 >= 0)
		lab_observe(r, "RSTs this network namespace sent meanwhile (Tcp OutRsts)",
			    (double)(rst1 - rst0), NULL, "other traffic may add to it",
			    "%lld", rst1 - rst0);
	lab_observe(r, "connect() to the port the server listens on", ms_srv, "ms",
		    NULL, "%s after %.3f", err_srv ? strerrorname_np(err_srv) : "connected", ms_srv);
	if (err_srv != 0)
		return lab_cannot(r, EXIT_FAIL, "the control connect failed: %s", strerror(err_srv));
	if (err_none == ECONNREFUSED && (rst0 < 0 || rst1 > rst0))
		return lab_verdict(r, LAB_HOLDS, "the kernel answered the SYN with a RST and "
				   "connect() failed with ECONNREFUSED after %.3f ms",
				   ms_none);
	if (err_none == ECONNREFUSED)
		return lab_verdict(r, LAB_DEPENDS, "ECONNREFUSED, but no RST was counted");
	return lab_verdict(r, LAB_DOES_NOT_HOLD, "connect() gave %s, not ECONNREFUSED",
			   err_none ? strerrorname_np(err_none) : "a connection");
}

const struct lab lab_wrong_port = {
	"wrong-port",
	"a client connecting to a port nobody listens on fails at once with "
	"\"connection refused\": the kernel answers its SYN with a RST",
	"a listener on 127.0.0.1:P, a port Q bound but not listening; connect() to "
	"each, timed, with the RSTs counted in /proc/net/snmp",
	run,
	"connect() to a port nobody listens on: its SYN, and the kernel's RST, "
	"inside connect()",
};
