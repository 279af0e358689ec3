/*
 * SHA-256 (FIPS 180-4), for the HTML report's Content-Security-Policy
 * hashes of its own inline script and style (output/html.c).  Not for
 * anything secret: no constant-time promises.
 */
#ifndef SCRY_UTIL_SHA256_H
#define SCRY_UTIL_SHA256_H

#include <stddef.h>
#include <stdint.h>

#define SHA256_LEN 32

/* The digest of p[0..n) into out[SHA256_LEN]. */
void sha256(const void *p, size_t n, uint8_t out[SHA256_LEN]);

#endif
