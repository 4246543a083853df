/* \summary: the Internet checksum (RFC 1071), with pseudo-headers */
#ifndef SOCKX_WIRE_CSUM_H
#define SOCKX_WIRE_CSUM_H

#include <stddef.h>
#include <stdint.h>

/* Adds n bytes of p to a running 32-bit sum (big-endian 16-bit words). */
uint32_t csum_add(uint32_t sum, const void *p, size_t n);
/* Folds a running sum into the one's-complement checksum. */
uint16_t csum_fold(uint32_t sum);
/* The checksum of p; 0 over data that includes a correct checksum. */
uint16_t csum_inet(const void *p, size_t n);
/* The pseudo-header sum of RFC 8200 8.1 (IPv6 upper-layer checksums). */
uint32_t csum_pseudo6(const uint8_t src[16], const uint8_t dst[16],
		      uint32_t len, uint8_t next);
/* The pseudo-header sum of RFC 793 3.1 / RFC 768 (IPv4 TCP and UDP). */
uint32_t csum_pseudo4(const uint8_t src[4], const uint8_t dst[4],
		      uint16_t len, uint8_t proto);

#endif
