/* sha256.h - SHA-256 (FIPS 180-4) and HMAC-SHA-256, for import content
 * hashes, de-duplication keys and the erasure suppression list. */
#ifndef AMB_CORE_SHA256_H
#define AMB_CORE_SHA256_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SHA256_LEN 32

struct sha256 {
	uint32_t h[8];
	uint64_t total;
	uint8_t block[64];
	size_t used;
};

void sha256_init(struct sha256 *s);
void sha256_update(struct sha256 *s, const void *data, size_t len);
void sha256_final(struct sha256 *s, uint8_t out[SHA256_LEN]);
/* Whether the x86 SHA extensions are in use (environment variable
 * AMB_SHA256_PORTABLE=1 turns them off; the digests are the same). */
bool sha256_accelerated(void);
/* Tests: true forces the portable code, false selects what the processor
 * offers. */
void sha256_force_portable(bool portable);
/* One-shot helpers. */
void sha256(uint8_t out[SHA256_LEN], const void *data, size_t len);
void hmac_sha256(uint8_t out[SHA256_LEN], const void *key, size_t key_len, const void *msg,
                 size_t msg_len);
/* Lower-case hex of a digest into out (2 * SHA256_LEN + 1 bytes). */
void sha256_hex(char out[2 * SHA256_LEN + 1], const uint8_t digest[SHA256_LEN]);

#endif
