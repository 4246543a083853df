/* \summary: unit tests of the event layer: the table, the templates, both renderers */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/event.h"
#include "unit.h"

/* What f's renderer wrote: the events' text, from a file standing in for a stream. */
static char *slurp(FILE *f)
{
	static char buf[4096];
	size_t n;

	fflush(f);
	rewind(f);
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	return buf;
}

/* Every {field} of every template names a field of its kind; braces close. */
static void test_table(void)
{
	const struct ev_kind *k;
	const char *t, *e, *name;
	const struct ev_field *f;
	int id, depth;
	size_t len;
	bool found;

	for (id = 0; id < EV_KINDS; id++) {
		k = ev_kind((enum ev_kind_id)id);
		CHECK(k && k->id && k->name && k->fields);
		if (!k || !k->human)
			continue;
		depth = 0;
		for (t = k->human; *t; t++) {
			if (t[0] == '{' && t[1] == '{') {
				t++;
				continue;
			}
			if (*t == '}')
				depth--;
			if (*t != '{')
				continue;
			depth++;
			name = t + 1 + (t[1] == '?' || t[1] == '!');
			e = name + strcspn(name, ":}");
			len = (size_t)(e - name);
			found = false;
			for (f = k->fields; f->name; f++)
				found |= strlen(f->name) == len && memcmp(f->name, name, len) == 0;
			if (!found)
				fprintf(stderr, "kind %s: template names no field '%.*s'\n",
					k->id, (int)len, name);
			CHECK(found);
		}
		if (depth != 0)
			fprintf(stderr, "kind %s: unbalanced braces\n", k->id);
		CHECK(depth == 0);
	}
	CHECK(ev_kind(EV_KINDS) == NULL);
}

static void test_human(void)
{
	struct sockx sx = { .cmd = "t" };
	FILE *f = tmpfile();

	CHECK(f);
	if (!f)
		return;
	event_render_human(&sx, f, EV_call, &(const struct ev_call){
		.name = "socket", .args = "AF_INET", .ret = 3 });
	CHECK(strcmp(slurp(f), "socket(AF_INET) = 3") == 0);
	rewind(f);
	CHECK(ftruncate(fileno(f), 0) == 0);
	event_render_human(&sx, f, EV_call, &(const struct ev_call){
		.name = "connect", .args = "3", .ret = -1, .errno_ = "ECONNREFUSED",
		.why = "ECONNREFUSED (Connection refused)" });
	CHECK(strcmp(slurp(f), "connect(3) = -1 ECONNREFUSED (Connection refused)") == 0);
	fclose(f);
}

/* The JSON renderer on a stdout redirected to a file. */
static void test_json(void)
{
	struct sockx sx = { .cmd = "t", .json = true, .verbose = 1 };
	FILE *f = tmpfile();
	int saved = dup(STDOUT_FILENO);
	const char *out, *want;

	CHECK(f && saved >= 0);
	if (!f || saved < 0)
		return;
	fflush(stdout);
	dup2(fileno(f), STDOUT_FILENO);
	sx.t0 = now_mono();
	EMIT(&sx, call, .name = "recv", .args = "3, \"\x01\"", .ret = 2,
	     .why = "not in JSON", .t_enter = EV_NAN, .t_exit = 0.0000015);
	EMIT(&sx, help, .command = NULL, .text = EV_BYTES("a\xff\n", 3));
	fflush(stdout);
	dup2(saved, STDOUT_FILENO);
	close(saved);
	out = slurp(f);
	/* "t" varies: compare from the first field after it */
	want = "\"name\":\"recv\",\"args\":\"3, \\\"\\u0001\\\"\",\"ret\":2,"
	       "\"errno\":null,\"t_exit\":0.000002}\n";
	CHECK(strstr(out, want) != NULL);
	CHECK(strstr(out, "{\"event\":\"call\",\"t\":") == out);
	CHECK(strstr(out, "{\"event\":\"help\",") != NULL);
	CHECK(strstr(out, "\"command\":null,\"text\":\"a\\ufffd\\n\"}\n") != NULL);
	CHECK(strstr(out, "t_enter") == NULL);	/* NUM_OPT NaN: left out */
	CHECK(strstr(out, "why") == NULL);	/* TEXT: never JSON */
	fclose(f);
}

/* What shows at which level. */
static void test_levels(void)
{
	struct sockx sx = { .cmd = "t" };

	CHECK(event_shows(&sx, EV_SAY));
	CHECK(!event_shows(&sx, EV_V1));
	CHECK(!event_shows(&sx, EV_JSON));
	CHECK(event_shows(&sx, EV_ERROR));
	sx.quiet = true;
	CHECK(!event_shows(&sx, EV_SAY));
	CHECK(event_shows(&sx, EV_SAY | EV_RAWQ));
	sx.quiet = false;
	sx.data_out = true;
	CHECK(!event_shows(&sx, EV_SAY | EV_DATA));
	sx.verbose = 1;
	CHECK(event_shows(&sx, EV_SAY | EV_DATA));
	CHECK(event_shows(&sx, EV_V1));
	CHECK(!event_shows(&sx, EV_V2));
	sx.json = true;
	CHECK(event_shows(&sx, EV_JSON));
}

int main(void)
{
	test_table();
	test_human();
	test_json();
	test_levels();
	UNIT_DONE("event");
}
