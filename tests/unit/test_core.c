/* \summary: unit tests of core/: strict numbers, addresses, JSON strings */
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>

#include "core/addr.h"
#include "core/opt.h"
#include "core/out.h"
#include "unit.h"

static void test_numbers(void)
{
	unsigned long v = 0;
	int ms = 0;
	long long lms = 0;

	CHECK(opt_ulong("65535", 0, 65535, &v) == 0 && v == 65535);
	CHECK(opt_ulong("65536", 0, 65535, &v) < 0);
	CHECK(opt_ulong("0x10", 0, 255, &v) == 0 && v == 16);
	CHECK(opt_ulong("010", 0, 255, &v) == 0 && v == 10);	/* never octal */
	CHECK(opt_ulong("0x", 0, 255, &v) < 0);
	CHECK(opt_ulong("0x-1", 0, 255, &v) < 0);
	CHECK(opt_ulong("-1", 0, 255, &v) < 0);
	CHECK(opt_ulong(" 1", 0, 255, &v) < 0);
	CHECK(opt_ulong("1 ", 0, 255, &v) < 0);
	CHECK(opt_ulong("", 0, 255, &v) < 0);
	CHECK(opt_ulong("99999999999999999999999", 0, ~0UL, &v) < 0);
	CHECK(opt_seconds("0.25", 10, &ms) == 0 && ms == 250);
	CHECK(opt_seconds(".5", 10, &ms) == 0 && ms == 500);
	CHECK(opt_seconds("11", 10, &ms) < 0);
	CHECK(opt_seconds("nan", 10, &ms) < 0);
	CHECK(opt_seconds("inf", 10, &ms) < 0);
	CHECK(opt_seconds("1e1", 10, &ms) == 0 && ms == 10000);
	CHECK(opt_seconds("-0", 10, &ms) < 0);
	/* not 0 ("never"): a timeout under half a millisecond is 1 ms */
	CHECK(opt_seconds("0.0004", 10, &ms) == 0 && ms == 1);
	CHECK(opt_seconds("0", 10, &ms) == 0 && ms == 0);
	/* more than an int holds: refused, never wrapped negative */
	CHECK(opt_seconds("2200000", 86400 * 365, &ms) < 0);
	CHECK(opt_seconds_ll("2200000", 86400 * 365, &lms) == 0 && lms == 2200000000LL);
	CHECK(opt_seconds_ll("31536000", 86400 * 365, &lms) == 0 && lms == 31536000000LL);
}

static void test_addresses(void)
{
	struct addr a[ADDR_MAX];
	char err[256], s[ADDR_TEXT];
	char *two[2] = { (char *)"::1", (char *)"80" };
	int st = SOCK_STREAM | ADDR_NUMERIC;

	CHECK(addr_from_word("127.0.0.1:80", NULL, 0, st, a, 8, err, sizeof(err)) == 1);
	CHECK(strcmp(addr_str(a, s, sizeof(s)), "127.0.0.1:80") == 0);
	CHECK(addr_from_word("[::1]:9", NULL, 0, st, a, 8, err, sizeof(err)) == 1);
	CHECK(strcmp(addr_str(a, s, sizeof(s)), "[::1]:9") == 0);
	CHECK(addr_from_word("::1", NULL, 0, st, a, 8, err, sizeof(err)) == 1);
	CHECK(addr_port(a) == 9999);
	CHECK(addr_from_word("[::1]", "0", 0, st, a, 8, err, sizeof(err)) == 1);
	CHECK(addr_port(a) == 0);
	CHECK(addr_from_args(2, two, 0, st, a, 8, err, sizeof(err)) == 1);
	CHECK(addr_port(a) == 80 && addr_family(a) == AF_INET6);
	CHECK(addr_from_args(0, NULL, AF_INET6, st, a, 8, err, sizeof(err)) == 1);
	CHECK(strcmp(addr_str(a, s, sizeof(s)), "[::1]:9999") == 0);
	CHECK(addr_from_word("127.0.0.1:65536", NULL, 0, st, a, 8, err, sizeof(err)) == -EXIT_USAGE);
	CHECK(strstr(err, "invalid port") != NULL);
	CHECK(addr_from_word("[::1", NULL, 0, st, a, 8, err, sizeof(err)) == -EXIT_USAGE);
	CHECK(addr_from_word("::1", NULL, AF_INET, st, a, 8, err, sizeof(err)) == -EXIT_USAGE);
	CHECK(addr_from_word("fe80::1%lo", "1", 0, st, a, 8, err, sizeof(err)) == 1);
	CHECK(strcmp(addr_str(a, s, sizeof(s)), "[fe80::1%lo]:1") == 0);
	CHECK(addr_from_word("0.0.0.0:1", NULL, 0, st, a, 8, err, sizeof(err)) == 1 && addr_is_any(a));
}

static void test_unix(void)
{
	struct addr a;
	char err[128], s[ADDR_TEXT], longp[120];

	CHECK(addr_unix("@name", &a, err, sizeof(err)) == 0);
	CHECK(strcmp(addr_str(&a, s, sizeof(s)), "@name") == 0);
	CHECK(a.len == offsetof(struct sockaddr_un, sun_path) + 5);
	CHECK(addr_unix("/tmp/x", &a, err, sizeof(err)) == 0);
	CHECK(strcmp(addr_str(&a, s, sizeof(s)), "/tmp/x") == 0);
	CHECK(addr_unix("", &a, err, sizeof(err)) < 0);
	CHECK(addr_unix("@", &a, err, sizeof(err)) < 0);
	memset(longp, 'a', sizeof(longp));
	longp[107] = '\0';		/* 107 bytes: the most that fits */
	CHECK(addr_unix(longp, &a, err, sizeof(err)) == 0);
	longp[107] = 'a';
	longp[108] = '\0';		/* 108: never silently cut */
	CHECK(addr_unix(longp, &a, err, sizeof(err)) < 0);
}

/* json_write_str into a memory stream, compared with what is expected. */
static void check_json(const char *in, size_t n, const char *want)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (!f) {
		unit_failures++;
		return;
	}
	json_write_str(f, in, n);
	fclose(f);
	if (strcmp(buf, want) != 0) {
		fprintf(stderr, "json: got %s want %s\n", buf, want);
		unit_failures++;
	}
	free(buf);
}

static void test_json(void)
{
	check_json("a\"b\\c", 5, "\"a\\\"b\\\\c\"");
	check_json("\n\t\x01\x7f", 4, "\"\\n\\t\\u0001\\u007f\"");
	check_json("\xe4\xbd\xa0", 3, "\"\xe4\xbd\xa0\"");		/* 你 */
	check_json("\xff", 1, "\"\\ufffd\"");
	check_json("\xc3\x28", 2, "\"\\ufffd(\"");			/* bad continuation */
	check_json("\xe0\x80\xaf", 3, "\"\\ufffd\\ufffd\\ufffd\"");	/* overlong */
	check_json("\xed\xa0\x80", 3, "\"\\ufffd\\ufffd\\ufffd\"");	/* surrogate */
	check_json("\xf0\x9f\x98", 3, "\"\\ufffd\\ufffd\\ufffd\"");	/* cut short */
	check_json("a\0b", 3, "\"a\\u0000b\"");
}

int main(void)
{
	test_numbers();
	test_addresses();
	test_unix();
	test_json();
	UNIT_DONE("test_core");
}
