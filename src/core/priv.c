/* \summary: capabilities with libcap, after iputils' ping (limit, raise, drop) */
#include <errno.h>
#include <sys/capability.h>

#include "priv.h"

static cap_value_t cap_of(enum priv p)
{
	return p == PRIV_RAW ? CAP_NET_RAW : CAP_NET_ADMIN;
}

/* Sets flag f of cap to v in the process; returns 0 or -1. */
static int set_flag(cap_value_t cap, cap_flag_t f, cap_flag_value_t v)
{
	cap_t c = cap_get_proc();
	int rc = -1, err;

	if (!c)
		return -1;
	if (cap_set_flag(c, f, 1, &cap, v) == 0)
		rc = cap_set_proc(c);
	err = errno;
	cap_free(c);
	errno = err;
	return rc;
}

int priv_init(bool keep_raw)
{
	cap_value_t keep[3] = { CAP_NET_BIND_SERVICE, CAP_NET_RAW, CAP_NET_ADMIN };
	cap_value_t bind = CAP_NET_BIND_SERVICE;
	cap_flag_value_t v;
	cap_t cur = cap_get_proc(), want = cap_init();
	int rc = 0, n = keep_raw ? 3 : 1, i, err;

	if (!cur || !want) {
		rc = -1;
		goto out;
	}
	/* Keep a capability only if it is permitted now. */
	for (i = 0; i < n; i++) {
		if (cap_get_flag(cur, keep[i], CAP_PERMITTED, &v) == 0 && v == CAP_SET)
			cap_set_flag(want, CAP_PERMITTED, 1, &keep[i], CAP_SET);
	}
	if (cap_get_flag(cur, bind, CAP_PERMITTED, &v) == 0 && v == CAP_SET)
		cap_set_flag(want, CAP_EFFECTIVE, 1, &bind, CAP_SET);
	if (cap_compare(cur, want) != 0)
		rc = cap_set_proc(want);
out:
	err = errno;
	if (cur)
		cap_free(cur);
	if (want)
		cap_free(want);
	errno = err;
	return rc;
}

bool priv_have(enum priv p)
{
	cap_t c = cap_get_proc();
	cap_flag_value_t v = CAP_CLEAR;

	if (c) {
		cap_get_flag(c, cap_of(p), CAP_PERMITTED, &v);
		cap_free(c);
	}
	return v == CAP_SET;
}

int priv_raise(enum priv p)
{
	if (!priv_have(p)) {
		errno = EPERM;
		return -1;
	}
	return set_flag(cap_of(p), CAP_EFFECTIVE, CAP_SET);
}

void priv_lower(enum priv p)
{
	int err = errno;

	set_flag(cap_of(p), CAP_EFFECTIVE, CAP_CLEAR);
	errno = err;
}

int priv_drop_all(void)
{
	cap_t c = cap_init();
	int rc, err;

	if (!c)
		return -1;
	rc = cap_set_proc(c);
	err = errno;
	cap_free(c);
	errno = err;
	return rc;
}
