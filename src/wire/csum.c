/* \summary: the Internet checksum, RFC 1071 */
#include "csum.h"

uint32_t csum_add(uint32_t sum, const void *p, size_t n)
{
	const uint8_t *b = p;
	size_t i;

	for (i = 0; i + 1 < n; i += 2) {
		sum += (uint32_t)(b[i] << 8 | b[i + 1]);
		if (sum & 0x80000000u)	/* fold early: no overflow on big input */
			sum = (sum & 0xffff) + (sum >> 16);
	}
	if (n & 1)
		sum += (uint32_t)b[n - 1] << 8;	/* pad the odd byte with zero */
	return sum;
}

uint16_t csum_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

uint16_t csum_inet(const void *p, size_t n)
{
	return csum_fold(csum_add(0, p, n));
}

uint32_t csum_pseudo6(const uint8_t src[16], const uint8_t dst[16],
		      uint32_t len, uint8_t next)
{
	uint32_t sum = csum_add(0, src, 16);

	sum = csum_add(sum, dst, 16);
	sum += len >> 16;
	sum += len & 0xffff;
	return sum + next;
}

uint32_t csum_pseudo4(const uint8_t src[4], const uint8_t dst[4],
		      uint16_t len, uint8_t proto)
{
	uint32_t sum = csum_add(0, src, 4);

	sum = csum_add(sum, dst, 4);
	return sum + proto + len;
}
