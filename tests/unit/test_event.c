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

/* Every kind's template is sound (event_template_ok), and the check can fail. */
static void test_table(void)
{
	static const struct ev_field fields[] = {
		{ "n", FT_INT, 0 }, { "ms", FT_NUM, 0 }, { "s", FT_STR, 0 }, { NULL, 0, 0 },
	};
	static const char *const bad[] = {
		"{nope}", "{n", "n}", "{?n}", "{n:%s}", "{n:%d}", "{ms:%lld}", "{s:%5s}",
		"{n:%lldx}", "{n:%*lld}", "{?n:{ms:%n}}",
	};
	static const char *const good[] = {
		"{n} {ms} {s}", "{n:%5lld} {ms:%.1f} {ms:%g}", "{?n:a {s}}{!s:b}", "{{",
	};
	struct ev_kind k = { .id = "t", .name = "t", .fields = fields, .nfields = 3 };
	const struct ev_kind *ek;
	char why[160];
	size_t i;
	int id;

	for (id = 0; id < EV_KINDS; id++) {
		ek = ev_kind((enum ev_kind_id)id);
		CHECK(ek && ek->id && ek->name && ek->fields);
		if (ek && !event_template_ok(ek, why, sizeof(why))) {
			fprintf(stderr, "kind %s: %s\n", ek->id, why);
			unit_failures++;
		}
	}
	CHECK(ev_kind(EV_KINDS) == NULL);
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		k.human = bad[i];
		if (event_template_ok(&k, why, sizeof(why))) {
			fprintf(stderr, "template %s passed the check\n", bad[i]);
			unit_failures++;
		}
	}
	for (i = 0; i < ARRAY_SIZE(good); i++) {
		k.human = good[i];
		if (!event_template_ok(&k, why, sizeof(why))) {
			fprintf(stderr, "template %s: %s\n", good[i], why);
			unit_failures++;
		}
	}
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
