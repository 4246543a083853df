/*
 * \summary: unit tests of the timeline's SVG (timeline_svg.c): hand-built
 * items of the tutorial's exchange, hostile text, the file's atomic write
 *
 * With an argument, writes the sample drawing to that path instead (for
 * tests/timeline-svg.bats, which parses it and renders it to PNG).
 */
#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/timeline.h"
#include "core/tl_draw.h"
#include "unit.h"

/* Peer-influenced text at its worst: markup, a CDATA end, controls, bad UTF-8. */
#define HOSTILE "<script>&amp;]]>\"'\x01\x1b[31m\x7f\xff\xfe\xc0\xaf" \
	"\xef\xbf\xbe\xe2\x80\xae\xed\xa0\x80\xc2\x85\xe4\xbd"

static struct tl_item items[40];
static size_t nitems;

static struct tl_item *add(enum tl_what what, enum tl_side side, double t_ms)
{
	struct tl_item *it = &items[nitems++];

	memset(it, 0, sizeof(*it));
	it->what = what;
	it->row.side = side;
	it->t_ms = t_ms;
	it->t_end_ms = NAN;
	return it;
}

static void call(enum tl_what what, enum tl_side side, double t, const char *name,
		 const char *args, long ret, const char *err)
{
	struct tl_item *it = add(what, side, t);

	it->row.kind = TL_CALL;
	snprintf(it->row.name, sizeof(it->row.name), "%s", name);
	snprintf(it->row.args, sizeof(it->row.args), "%s", args);
	snprintf(it->row.err, sizeof(it->row.err), "%s", err);
	it->row.ret = ret;
}

static void tcp(enum tl_side side, double t, uint8_t flags, long long seq, long long len)
{
	struct tl_item *it = add(TLW_PACKET, side, t);

	it->row.kind = TL_PACKET;
	memcpy(it->row.proto, "TCP", 4);
	it->row.flags = flags;
	it->row.seq = seq;
	it->row.len = len;
}

/* The tutorial's exchange (timeline.md), a peer's calls, a fold, a transfer, hostile text. */
static void sample(struct timeline *tl)
{
	struct tl_item *it;

	nitems = 0;
	call(TLW_CALL, TL_SELF, 0.000, "socket", "AF_INET, SOCK_STREAM", 3, "");
	call(TLW_ENTER, TL_SELF, 0.011, "connect", "3, 127.0.0.1:9999", 0, "");
	items[nitems - 1].t_end_ms = 0.030;
	tcp(TL_SELF, 0.019, TL_SYN, 0, 0);
	tcp(TL_PEER, 0.023, TL_SYN | TL_ACK, 0, 0);
	call(TLW_CALL, TL_PEER, 0.0235, "accept", "3", 4, "");
	tcp(TL_SELF, 0.024, TL_ACK, 1, 0);
	call(TLW_RETURN, TL_SELF, 0.030, "connect", "3, 127.0.0.1:9999", 0, "");
	call(TLW_CALL, TL_SELF, 0.041, "send", "3, 17 bytes", 17, "");
	tcp(TL_SELF, 0.046, TL_PSH | TL_ACK, 1, 17);
	tcp(TL_PEER, 0.061, TL_PSH | TL_ACK, 1, 17);
	call(TLW_CALL, TL_SELF, 0.070, "recv", "3, 17: \xe4\xbd\xa0\xe5\xa5\xbd " HOSTILE, 17, "");
	it = add(TLW_FOLD, TL_SELF, 0.075);
	it->t_end_ms = 41.075;
	it->row.packets = 8190;
	it->row.calls = 12;
	it->row.bytes = 16 * 1024 * 1024;
	/* AF_UNIX: a send, the recv that took its bytes, the transfer at its return */
	call(TLW_CALL, TL_SELF, 41.2, "send", "5, 17 bytes", 17, "");
	call(TLW_CALL, TL_PEER, 41.25, "recv", "4, 17", 17, "");
	it = add(TLW_XFER, TL_SELF, 41.3);
	it->t_end_ms = 41.3;
	it->row.t = 100.0 + 41.2 / 1000.0;	/* seconds since t0: tl->start + 41.2 ms */
	it->row.len = 17;
	memcpy(it->row.proto, "AF_UNIX", 8);
	call(TLW_CALL, TL_SELF, 41.5, "shutdown", "3, SHUT_WR", 0, "");
	tcp(TL_SELF, 41.6, TL_FIN | TL_ACK, 18, 0);
	tcp(TL_PEER, 41.7, TL_RST, 18, 0);
	call(TLW_CALL, TL_SELF, 41.8, "connect", "5, 127.0.0.1:9", -1, "ECONNREFUSED");
	call(TLW_CALL, TL_SELF, 41.9, "close", "3", 0, "");
	/* a name with no NUL in it: read back from a hostile file */
	it = add(TLW_CALL, TL_PEER, 42.0);
	memset(it->row.name, 'A', sizeof(it->row.name));
	memset(tl, 0, sizeof(*tl));
	snprintf(tl->command, sizeof(tl->command), "tcp-client");
	snprintf(tl->self, sizeof(tl->self), "this process (tcp-client)");
	snprintf(tl->peer, sizeof(tl->peer), "peer 127.0.0.1:9999 " HOSTILE);
	snprintf(tl->iface, sizeof(tl->iface), "lo");
	snprintf(tl->precision, sizeof(tl->precision), "ns");
	tl->wire = true;
	tl->gap_us = 3.25;
	tl->samples = 12;
	tl->start = 100.0;
	tl->items = items;
	tl->nitems = nitems;
	tl->items_dropped = 2;
}

/* The whole of f, NUL-terminated (malloc'd). */
static char *slurp(FILE *f, size_t *len)
{
	long n;
	char *b;

	fflush(f);
	n = ftell(f);
	rewind(f);
	b = malloc((size_t)(n < 0 ? 0 : n) + 1);
	if (!b)
		return NULL;
	*len = fread(b, 1, (size_t)(n < 0 ? 0 : n), f);
	b[*len] = '\0';
	return b;
}

static char *render(const struct timeline *tl, size_t *len)
{
	FILE *f = tmpfile();
	char *s = NULL;

	CHECK(f);
	if (!f)
		return NULL;
	CHECK(timeline_svg(tl, f) == 0);
	s = slurp(f, len);
	fclose(f);
	return s;
}

/* Strict UTF-8 of XML 1.0 characters: no controls but \n, no surrogates, no U+FFFE/F. */
static bool xml_chars_ok(const unsigned char *s, size_t n)
{
	size_t i = 0, len, k;
	uint32_t cp;

	while (i < n) {
		if (s[i] < 0x80) {
			if (s[i] < 0x20 && s[i] != '\n')
				return false;
			i++;
			continue;
		}
		len = s[i] >= 0xf0 ? 4 : s[i] >= 0xe0 ? 3 : 2;
		cp = s[i] & (0x7f >> len);
		if (s[i] < 0xc2 || s[i] > 0xf4 || i + len > n)
			return false;
		for (k = 1; k < len; k++) {
			if ((s[i + k] & 0xc0) != 0x80)
				return false;
			cp = cp << 6 | (s[i + k] & 0x3f);
		}
		if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
		    (cp >= 0xd800 && cp <= 0xdfff) || cp == 0xfffe || cp == 0xffff ||
		    cp > 0x10ffff || (cp >= 0x80 && cp < 0xa0))
			return false;
		i += len;
	}
	return true;
}

static size_t count(const char *s, const char *what)
{
	size_t n = 0;

	for (s = strstr(s, what); s; s = strstr(s + 1, what))
		n++;
	return n;
}

/* Each of want[] appears, after the one before it. */
static void in_order(const char *svg, const char *const *want, size_t n)
{
	const char *at = svg, *p;
	size_t i;

	for (i = 0; i < n; i++) {
		p = strstr(at, want[i]);
		if (!p) {
			fprintf(stderr, "not found after #%zu: %s\n", i, want[i]);
			unit_failures++;
			return;
		}
		at = p + 1;
	}
}

static void test_exchange(void)
{
	static const char *const order[] = {
		">socket(AF_INET, SOCK_STREAM) = 3</text>", ">connect(3, 127.0.0.1:9999)</text>",
		">SYN</text>", ">SYN,ACK</text>", ">accept(3) = 4</text>", ">ACK</text>",
		">= 0</text>", ">send(3, 17 bytes) = 17</text>", ">PSH,ACK 1:18 (17)</text>",
		">PSH,ACK 1:18 (17)</text>", ">recv(3, 17: \xe4\xbd\xa0\xe5\xa5\xbd ",
		"8,190", ">send(5, 17 bytes) = 17</text>", ">recv(4, 17) = 17</text>",
		">17 bytes, copied by the kernel, no packet</text>",
		">shutdown(3, SHUT_WR) = 0</text>", ">FIN,ACK</text>",
		"fill=\"#c00000\">RST</text>",
		"fill=\"#c00000\">connect(5, 127.0.0.1:9) = -1 ECONNREFUSED</text>",
		">close(3) = 0</text>", ">AAAAAAAAAAAAAAAA() = 0</text>",
		"2 more items were not kept",
	};
	struct timeline tl;
	size_t len = 0;
	char *svg, fold[200];

	sample(&tl);
	CHECK(items[11].what == TLW_FOLD && items[14].what == TLW_XFER);
	svg = render(&tl, &len);
	if (!svg)
		return;
	CHECK(strncmp(svg, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<svg ", 44) == 0);
	CHECK(len > 7 && strcmp(svg + len - 7, "</svg>\n") == 0);
	CHECK(strlen(svg) == len);	/* no NUL inside */
	CHECK(xml_chars_ok((const unsigned char *)svg, len));
	in_order(svg, order, ARRAY_SIZE(order));
	CHECK(count(svg, "<text") == count(svg, "</text>"));
	CHECK(count(svg, "<title>") == count(svg, "</title>"));
	CHECK(count(svg, "<desc>") == 1);
	CHECK(count(svg, "width=\"8\"") == 1);	/* connect's bar, and no other */
	CHECK(strstr(svg, ">wire: lo</text>"));
	CHECK(strstr(svg, "ns timestamps; clocks aligned within 3.25 us (best of 12 samples)"));
	CHECK(!strstr(svg, "AAAAAAAAAAAAAAAAA"));	/* the name's 16 bytes, no more */
	/* the hostile text, whole in a <title>, and nothing of it raw */
	CHECK(strstr(svg, "&lt;script&gt;&amp;amp;]]&gt;&quot;&#39;\\x01\\x1b[31m\\x7f"
		      "\\xff\\xfe\\xc0\\xaf\\xef\\xbf\\xbe\\xe2\\x80\\xae\\xed\\xa0\\x80"
		      "\\xc2\\x85\\xe4\\xbd"));
	CHECK(!strstr(svg, "<script") && !strstr(svg, "]]>") && !strstr(svg, "href"));
	CHECK(!strstr(svg, "url(") && !strstr(svg, "foreignObject") && !strstr(svg, "@import"));
	CHECK(!strstr(svg, "nan") && !strstr(svg, "inf"));
	/* the fold says what the ladder says */
	CHECK(strstr(svg, tl_fold_label(&items[11], fold, sizeof(fold))) && strstr(fold, "8,190"));
	/* the transfer's arrow: from the send's row (12, y 316) to its own (14, y 352) */
	CHECK(strstr(svg, "<line x1=\"404.0\" y1=\"312.0\" "));
	CHECK(strstr(svg, "<polygon points=\"756.0,353.0 "));
	free(svg);
}

/* AF_UNIX and a wire not drawn say so; nothing at all is still a drawing. */
static void test_heads(void)
{
	struct timeline tl;
	size_t len = 0;
	char *svg;

	sample(&tl);
	tl.wire = false;
	tl.af_unix = true;
	/* the unix demonstration's heads, whole */
	snprintf(tl.self, sizeof(tl.self), "this process: the client end");
	snprintf(tl.peer, sizeof(tl.peer), "the server end (the same process)");
	svg = render(&tl, &len);
	CHECK(svg && strstr(svg, ">no wire: AF_UNIX, the kernel copies the bytes</text>"));
	CHECK(svg && strstr(svg, ": system calls and the bytes the kernel copied on one time axis</text>"));
	CHECK(svg && !strstr(svg, "and packets"));
	CHECK(svg && strstr(svg, ">this process: the client end</text>"));
	CHECK(svg && strstr(svg, ">the server end (the same process)</text>"));
	free(svg);
	tl.af_unix = false;
	snprintf(tl.why, sizeof(tl.why), "no capture on lo without CAP_NET_RAW");
	svg = render(&tl, &len);
	CHECK(svg && strstr(svg, ">wire: not drawn: no capture on lo without CAP_NET_RAW</text>"));
	free(svg);
	tl.nitems = 0;
	tl.items_dropped = 0;
	svg = render(&tl, &len);
	CHECK(svg && strstr(svg, ">nothing was recorded</text>"));
	CHECK(svg && !strstr(svg, "not kept") && xml_chars_ok((const unsigned char *)svg, len));
	free(svg);
}

/*
 * A server's axis: its clients come long after its listen, and their
 * packets microseconds apart keep times of their own.
 */
static void test_axis(void)
{
	static const double t[] = { 105.8123, 105.8127, 9999.9994, 12345.678, 2e6 };
	static const char *const want[] = { ">105.812</text>", ">105.813</text>",
		">9999.999</text>", ">12345.7</text>", ">2000000</text>" };
	struct timeline tl;
	size_t len = 0, i;
	char *svg;

	sample(&tl);
	for (i = 0; i < ARRAY_SIZE(t); i++)
		items[i].t_ms = t[i];
	svg = render(&tl, &len);
	for (i = 0; i < ARRAY_SIZE(want); i++)
		CHECK(svg && strstr(svg, want[i]));
	free(svg);
}

/* A write error is reported, not swallowed. */
static void test_write_error(void)
{
	struct timeline tl;
	FILE *f = fopen("/dev/full", "w");

	CHECK(f);
	if (!f)
		return;
	sample(&tl);
	errno = 0;
	CHECK(timeline_svg(&tl, f) == -1 && errno == ENOSPC);
	fclose(f);
}

/* Does dir hold a name starting with prefix (a temporary file left behind)? */
static bool left_behind(const char *dir, const char *prefix)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	bool found = false;

	if (!d)
		return true;
	while ((e = readdir(d)))
		if (strncmp(e->d_name, prefix, strlen(prefix)) == 0)
			found = true;
	closedir(d);
	return found;
}

static bool starts(const char *path, const char *with)
{
	char buf[64] = "";
	FILE *f = fopen(path, "r");
	size_t n;

	if (!f)
		return false;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	fclose(f);
	return strncmp(buf, with, strlen(with)) == 0;
}

/* --svg FILE: new, replaced (mode kept, a new inode: renamed), refused, failed. */
static void test_file(void)
{
	char dir[] = "/tmp/test_timeline_svg.XXXXXX", p[128], q[128];
	struct sockx sx = { .cmd = "t" };
	struct timeline tl;
	struct stat a, b;
	FILE *f;

	sample(&tl);
	sx.timeline = &tl;
	if (!mkdtemp(dir)) {
		CHECK(!"mkdtemp");
		return;
	}
	snprintf(p, sizeof(p), "%s/run.svg", dir);
	CHECK(timeline_svg_file(&sx, p) == EXIT_OK && starts(p, "<?xml"));
	f = fopen(p, "w");
	CHECK(f && fputs("old", f) >= 0 && fclose(f) == 0 && chmod(p, 0640) == 0);
	CHECK(stat(p, &a) == 0);
	CHECK(timeline_svg_file(&sx, p) == EXIT_OK && starts(p, "<?xml"));
	CHECK(stat(p, &b) == 0 && (b.st_mode & 0777) == 0640 && a.st_ino != b.st_ino);
	CHECK(!left_behind(dir, ".run.svg."));
	CHECK(timeline_svg_file(&sx, dir) == EXIT_FAIL);	/* a directory */
	CHECK(timeline_svg_file(&sx, "/dev/full") == EXIT_FAIL);
	snprintf(q, sizeof(q), "%s/link.svg", dir);
	CHECK(symlink(p, q) == 0);
	CHECK(timeline_svg_file(&sx, q) == EXIT_FAIL);	/* a link to a file: refused */
	CHECK(lstat(q, &a) == 0 && S_ISLNK(a.st_mode) && starts(p, "<?xml"));
	unlink(q);
	snprintf(q, sizeof(q), "%s/no/such/dir.svg", dir);
	CHECK(timeline_svg_file(&sx, q) == EXIT_FAIL);
	CHECK(!left_behind(dir, ".run.svg.") && !left_behind(dir, ".link.svg."));
	unlink(p);
	CHECK(rmdir(dir) == 0);	/* nothing else was left in it */
}

int main(int argc, char **argv)
{
	struct sockx sx = { .cmd = "test_timeline_svg" };
	struct timeline tl;

	if (argc == 2) {	/* the sample, for tests/timeline-svg.bats */
		sample(&tl);
		sx.timeline = &tl;
		return timeline_svg_file(&sx, argv[1]);
	}
	test_exchange();
	test_heads();
	test_axis();
	test_write_error();
	test_file();
	UNIT_DONE("timeline_svg");
}
