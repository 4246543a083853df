/* \summary: lab rdm: SOCK_RDM is not a reliable UDP: which families have it here */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "lab.h"

#ifndef AF_TIPC
#define AF_TIPC 30
#endif
#ifndef AF_RDS
#define AF_RDS 21
#endif

/* One socket() to try, and what this kernel said. */
struct try {
	int family, type;
	const char *what;
	int err;		/* 0: it opened */
};

static void try_socket(struct lab_run *r, struct try *t)
{
	int fd = sock_socket(r->sx, t->family, t->type | SOCK_CLOEXEC, 0);

	t->err = fd < 0 ? errno : 0;
	if (fd >= 0)
		sock_close(r->sx, fd);
}

static const char *result(const struct try *t)
{
	return t->err ? strerrorname_np(t->err) : "opened";
}

static const char *meaning(int err)
{
	switch (err) {
	case 0: return NULL;
	case EAFNOSUPPORT: return "no such family in this kernel: not built, or its module not loaded";
	case ESOCKTNOSUPPORT: return "the family exists but has no such socket type";
	case EPROTONOSUPPORT: return "the family has no such protocol";
	case EPERM: case EACCES: return "refused for lack of privilege";
	default: return strerror(err);
	}
}

static int run(struct lab_run *r)
{
	struct try t[] = {
		{ AF_INET, SOCK_DGRAM, "socket(AF_INET, SOCK_DGRAM, 0): UDP, the control", 0 },
		{ AF_INET, SOCK_RDM, "socket(AF_INET, SOCK_RDM, 0)", 0 },
		{ AF_INET6, SOCK_RDM, "socket(AF_INET6, SOCK_RDM, 0)", 0 },
		{ AF_UNIX, SOCK_RDM, "socket(AF_UNIX, SOCK_RDM, 0)", 0 },
		{ AF_TIPC, SOCK_RDM, "socket(AF_TIPC, SOCK_RDM, 0): TIPC's reliable datagrams", 0 },
		{ AF_RDS, SOCK_SEQPACKET, "socket(AF_RDS, SOCK_SEQPACKET, 0): RDS's own type", 0 },
		{ AF_RDS, SOCK_RDM, "socket(AF_RDS, SOCK_RDM, 0)", 0 },
	};
	char opened[160] = "";
	size_t i, o = 0;
	int inet_opened = 0;

	for (i = 0; i < ARRAY_SIZE(t) && !lab_expired(r); i++) {
		try_socket(r, &t[i]);
		if (t[i].err)
			lab_observe(r, t[i].what, t[i].err, NULL, meaning(t[i].err), "%s (errno %d)",
				    result(&t[i]), t[i].err);
		else
			lab_observe(r, t[i].what, 0, NULL, NULL, "opened");
		if (i > 0 && t[i].err == 0 && t[i].type == SOCK_RDM && o < sizeof(opened))
			o += (size_t)snprintf(opened + o, sizeof(opened) - o, "%s%s",
					      o ? ", " : "", family_name(t[i].family));
		if (i > 0 && i < 3 && t[i].err == 0)
			inet_opened++;
	}
	if (i < ARRAY_SIZE(t))
		return lab_cannot(r, EXIT_FAIL, "stopped before every socket() was tried");
	if (t[0].err)
		return lab_cannot(r, EXIT_FAIL, "even the UDP control failed: %s", strerror(t[0].err));
	if (inet_opened)
		return lab_verdict(r, LAB_DEPENDS, "this kernel opened SOCK_RDM for %s: a "
				   "socket of that type exists over IP here (its reliability "
				   "was not tested)", opened);
	return lab_verdict(r, LAB_DOES_NOT_HOLD,
			   "UDP is SOCK_DGRAM; SOCK_RDM gave %s for AF_INET and %s for AF_INET6 "
			   "(and %s for AF_UNIX); AF_TIPC, the family that has RDM, gave %s; "
			   "RDS is SOCK_SEQPACKET (%s), RDM there gave %s; families that opened "
			   "SOCK_RDM here: %s",
			   result(&t[1]), result(&t[2]), result(&t[3]), result(&t[4]),
			   result(&t[5]), result(&t[6]), o ? opened : "none");
}

const struct lab lab_rdm = {
	"rdm",
	"SOCK_RDM is a reliable kind of UDP: socket(AF_INET, SOCK_RDM, 0) gives "
	"reliable datagrams over IP",
	"socket() with SOCK_RDM for AF_INET, AF_INET6, AF_UNIX, AF_TIPC and AF_RDS, "
	"RDS's SOCK_SEQPACKET, and UDP as the control; each errno",
	run,
	NULL,	/* no --timeline */
};
