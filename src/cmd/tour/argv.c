/* \summary: a tour child's argv, from its cell's template, and as typed */
#include <stdlib.h>
#include <string.h>

#include "tour.h"

/* The value of one template word. */
static const char *fill(const struct tour_run *u, const char *w)
{
	if (strcmp(w, "{msg}") == 0)
		return u->o->msg;
	if (strcmp(w, "{port}") == 0)
		return u->port;
	if (strcmp(w, "{unix}") == 0)
		return u->unix_name;
	if (strcmp(w, "{len}") == 0)
		return u->len;
	if (strcmp(w, "{hex}") == 0)
		return u->hex;
	return w;
}

char **tour_argv(const struct tour_run *u, const char *name,
		 const char *const *tmpl, bool verify, bool timeline)
{
	size_t n = 0, i, k = 0;
	char **v;

	while (tmpl && tmpl[n])
		n++;
	v = calloc(n + 6, sizeof(*v));
	if (!v)
		return NULL;
	v[k++] = strdup(name);
	v[k++] = strdup("--json");	/* events are read, not prose */
	v[k++] = strdup("-v");	/* its "call" events are how calls are counted */
	if (verify)
		v[k++] = strdup("--verify");
	if (timeline)	/* its rows, read back: on the tour's axis by its t0 */
		v[k++] = strdup("--timeline");
	for (i = 0; i < n; i++)
		v[k++] = strdup(fill(u, tmpl[i]));
	for (i = 0; i < k; i++) {
		if (!v[i]) {
			tour_argv_free(v);
			return NULL;
		}
	}
	return v;
}

void tour_argv_free(char **argv)
{
	size_t i;

	for (i = 0; argv && argv[i]; i++)
		free(argv[i]);
	free(argv);
}

/* True if w needs quotes for a shell. */
static bool needs_quotes(const char *w)
{
	if (!*w)
		return true;
	for (; *w; w++)
		if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-./:@=+,", *w))
			return true;
	return false;
}

/* Appends s to buf (len bytes in all, *n used), cutting at the end. */
static void app(char *buf, size_t len, size_t *n, const char *s)
{
	size_t k = strlen(s);

	if (*n + k >= len)
		k = len - 1 - *n;
	memcpy(buf + *n, s, k);
	*n += k;
	buf[*n] = '\0';
}

void tour_argv_text(char **argv, char *buf, size_t len)
{
	char one[2] = "";
	const char *w;
	size_t n = 0, i;

	buf[0] = '\0';
	app(buf, len, &n, "sockx");
	for (i = 0; argv && argv[i]; i++) {
		app(buf, len, &n, " ");
		if (!needs_quotes(argv[i])) {
			app(buf, len, &n, argv[i]);
			continue;
		}
		app(buf, len, &n, "'");
		for (w = argv[i]; *w; w++) {
			one[0] = *w;
			app(buf, len, &n, *w == '\'' ? "'\\''" : one);
		}
		app(buf, len, &n, "'");
	}
}
