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

	/* An unbracketed IPv6 address and a port: refused, with both spellings. */
	CHECK(addr_from_word("::1:9999", NULL, 0, st, a, 8, err, sizeof(err)) == -EXIT_USAGE);
	CHECK(strstr(err, "ambiguous address '::1:9999'") != NULL);
	CHECK(strstr(err, ADDR_HINT "for port 9999 of ::1 write [::1]:9999, or ::1 9999") != NULL);
	CHECK(strstr(err, "for the address write [::1:9999]") != NULL);
	CHECK(addr_from_word("::1:12345", NULL, 0, st, a, 8, err, sizeof(err)) == -EXIT_USAGE);
	CHECK(strstr(err, "invalid address '::1:12345'") != NULL && !strstr(err, "for the address"));
	CHECK(addr_from_word("fe80::1%lo:80", NULL, 0, st, a, 8, err, sizeof(err)) == -EXIT_USAGE);
	CHECK(strstr(err, "[fe80::1%lo]:80") != NULL);
	CHECK(addr_from_word(":::80", NULL, 0, st, a, 8, err, sizeof(err)) == -EXIT_USAGE);
	CHECK(addr_v6_port_split("::1:9999") == 3);
	CHECK(addr_v6_port_split("::ffff:127.0.0.1:80") == 16);
	CHECK(addr_v6_port_split("::1:http") == 3);
	/* ... but the addresses these spell are kept */
	CHECK(addr_v6_port_split("::1") == 0);
	CHECK(addr_v6_port_split("::ffff:1") == 0);	/* ::255.255.0.1 */
	CHECK(addr_v6_port_split("fe80::1:2") == 0);
	CHECK(addr_v6_port_split("2001:db8::1:443") == 0);
	CHECK(addr_v6_port_split("::1:beef") == 0);	/* no port is hex */
	CHECK(addr_v6_port_split("::0.1.153.153") == 0);
	CHECK(addr_v6_port_split("[::1]:9999") == 0);
	CHECK(addr_v6_port_split("127.0.0.1:80") == 0);
	CHECK(addr_v6_port_split("::9999") == 0);
	CHECK(addr_from_word("[::1:9999]", NULL, 0, st, a, 8, err, sizeof(err)) == 1);
	CHECK(strcmp(addr_str(a, s, sizeof(s)), "[::0.1.153.153]:9999") == 0);
	CHECK(addr_from_word("::ffff:1", "7", 0, st, a, 8, err, sizeof(err)) == 1);
	CHECK(strcmp(addr_str(a, s, sizeof(s)), "[::255.255.0.1]:7") == 0);
	CHECK(addr_from_word("2001:db8::1:443", NULL, 0, st, a, 8, err, sizeof(err)) == 1);
	CHECK(addr_port(a) == 9999);
	two[0] = (char *)"::1:9999";	/* a separate PORT: the word is the address */
	CHECK(addr_from_args(2, two, 0, st, a, 8, err, sizeof(err)) == 1);
	CHECK(strcmp(addr_str(a, s, sizeof(s)), "[::0.1.153.153]:80") == 0);

	/* Link-local needs a scope; the scope must name an interface. */
	CHECK(addr_from_word("fe80::1:2", "1", 0, st, a, 8, err, sizeof(err)) == -EXIT_USAGE);
	CHECK(strstr(err, "link-local address 'fe80::1:2' needs an interface") != NULL);
	CHECK(strstr(err, ADDR_HINT "add the interface it is on: fe80::1:2%IFACE") != NULL);
	CHECK(addr_from_word("[fe80::1]:1", NULL, AF_INET6, st, a, 8, err, sizeof(err)) == -EXIT_USAGE);
	CHECK(addr_from_word("fe80::1", "1", 0, st | ADDR_UNSCOPED, a, 8, err, sizeof(err)) == 1);
	CHECK(addr_from_word("fe80::1%nosuch0", "1", 0, st, a, 8, err, sizeof(err)) == -EXIT_USAGE);
	CHECK(strstr(err, "unknown interface 'nosuch0' in 'fe80::1%nosuch0'") != NULL);
	CHECK(addr_from_word("fe80::1%1", "1", 0, st, a, 8, err, sizeof(err)) == 1);	/* lo */
	CHECK(addr_from_word("fe80::1%4000000", "1", 0, st, a, 8, err, sizeof(err)) == -EXIT_USAGE);
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
	check_json("\x1b]0;x\x07", 6, "\"\\u001b]0;x\\u0007\"");
}

/* json_write_num into a memory stream, compared with what is expected. */
static void check_num(double v, const char *want)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (!f) {
		unit_failures++;
		return;
	}
	json_write_num(f, v);
	fclose(f);
	if (strcmp(buf, want) != 0) {
		fprintf(stderr, "json number %g: got %s want %s\n", v, buf, want);
		unit_failures++;
	}
	free(buf);
}

/* JSON numbers: fixed point, never an exponent (docs/json.md). */
static void test_json_numbers(void)
{
	check_num(9.8417e-05, "0.000098");
	check_num(1.09673e-05, "0.000011");
	check_num(0.1339595, "0.13396");
	check_num(100, "100");
	check_num(0, "0");
	check_num(0.3, "0.3");
	check_num(-0.0000001, "0");
	check_num(-2.5, "-2.5");
	check_num(1234567.25, "1234567.25");
	check_num(1e12, "1000000000000");
}

/* esc_write into a memory stream, and esc_buf, compared with what is expected. */
static void check_esc(const char *in, size_t n, const char *want)
{
	char *buf = NULL, b[256];
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (!f) {
		unit_failures++;
		return;
	}
	esc_write(f, in, n);
	fclose(f);
	if (strcmp(buf, want) != 0 || esc_buf(b, sizeof(b), in, n, false) != n ||
	    strcmp(b, want) != 0) {
		fprintf(stderr, "esc: got %s / %s want %s\n", buf, b, want);
		unit_failures++;
	}
	free(buf);
}

/* Human text from peer bytes: nothing reaches a terminal raw but text. */
static void test_escape(void)
{
	static const char hi[] = "\xe4\xbd\xa0\xe5\xa5\xbd,\xe6\x9c\x8d\xe5\x8a\xa1\xe5\x99\xa8!";
	struct addr a;
	struct sockaddr_un *sun = (struct sockaddr_un *)&a.ss;
	char b[16], s[ADDR_TEXT];

	check_esc(hi, strlen(hi), hi);				/* 你好,服务器! as it is */
	check_esc("\x1b]0;pwned\x07\x1b[2J", 14, "\\x1b]0;pwned\\x07\\x1b[2J");
	check_esc("a\nb\r\tc\\", 7, "a\\nb\\r\\tc\\\\");
	check_esc("\x7f\0", 2, "\\x7f\\x00");
	check_esc("\xc2\x9b" "1m", 4, "\\xc2\\x9b1m");		/* C1 CSI as UTF-8 */
	check_esc("\x9b", 1, "\\x9b");				/* ... and raw */
	check_esc("\xc2\xa0\xc3\xa9", 4, "\xc2\xa0\xc3\xa9");	/* NBSP, é: text */
	check_esc("\xff\xfe", 2, "\\xff\\xfe");
	check_esc("\xc3\x28", 2, "\\xc3(");			/* bad continuation */
	check_esc("\xe0\x80\xaf", 3, "\\xe0\\x80\\xaf");		/* overlong */
	check_esc("\xed\xa0\x80", 3, "\\xed\\xa0\\x80");		/* surrogate */
	check_esc("\xf0\x9f\x98", 3, "\\xf0\\x9f\\x98");		/* cut short */
	check_esc("say \"hi\"", 8, "say \"hi\"");
	CHECK(esc_buf(b, sizeof(b), "\"", 1, true) == 1 && strcmp(b, "\\\"") == 0);
	/* Whole escapes only: 3 of 4 fit in 13 bytes with the NUL. */
	CHECK(esc_buf(b, 13, "\x01\x02\x03\x04", 4, false) == 3 &&
	      strcmp(b, "\\x01\\x02\\x03") == 0);
	CHECK(esc_buf(b, 4, hi, strlen(hi), false) == 3 && strcmp(b, "\xe4\xbd\xa0") == 0);
	CHECK(strcmp(esc_str("\x1b\x1b\x1b\x1b", 4, b, 12), "\\x1b\\x1b...") == 0);
	CHECK(strcmp(esc_str("ok", 2, b, sizeof(b)), "ok") == 0);
	/* A peer's abstract name, and a path, as addr_str shows them. */
	memset(&a, 0, sizeof(a));
	sun->sun_family = AF_UNIX;
	memcpy(sun->sun_path, "\0\x1b]0;pwned\x07\0x", 13);
	a.len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 13);
	CHECK(strcmp(addr_str(&a, s, sizeof(s)), "@\\x1b]0;pwned\\x07\\x00x") == 0);
	memcpy(sun->sun_path, "/tmp/a\nb", 9);
	a.len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 9);
	CHECK(strcmp(addr_str(&a, s, sizeof(s)), "/tmp/a\\nb") == 0);
	memset(sun->sun_path, 0x1b, sizeof(sun->sun_path));
	sun->sun_path[0] = '\0';
	a.len = sizeof(struct sockaddr_un);
	CHECK(strlen(addr_str(&a, s, sizeof(s))) == 1 + 4 * (sizeof(sun->sun_path) - 1));
}

int main(void)
{
	test_numbers();
	test_addresses();
	test_unix();
	test_json();
	test_json_numbers();
	test_escape();
	UNIT_DONE("test_core");
}
