/* \summary: fuzz target: address words, UNIX paths, strict numbers */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "core/addr.h"
#include "core/opt.h"

/* First byte picks the parser; the rest, NUL-terminated, is its input. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct addr a[ADDR_MAX];
	char err[256], text[ADDR_TEXT], *s;
	unsigned long v;
	int n, ms, i;

	if (size < 1 || size > 4096)
		return 0;
	s = malloc(size);
	if (!s)
		return 0;
	memcpy(s, data + 1, size - 1);
	s[size - 1] = '\0';
	switch (data[0] % 4) {
	case 0:	/* literals only: a fuzzer must never ask a DNS server */
		n = addr_from_word(s, "0", 0, SOCK_STREAM | ADDR_NUMERIC, a, ADDR_MAX, err, sizeof(err));
		for (i = 0; i < n; i++)
			addr_str(&a[i], text, sizeof(text));
		break;
	case 1:
		if (addr_unix(s, a, err, sizeof(err)) == 0)
			addr_str(a, text, sizeof(text));
		break;
	case 2:
		opt_ulong(s, 0, 65535, &v);
		break;
	default:
		opt_seconds(s, 3600, &ms);
		break;
	}
	free(s);
	return 0;
}
