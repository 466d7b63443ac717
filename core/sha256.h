/* sha256.h - SHA-256 and HMAC-SHA-256 for import content hashes,
 * de-duplication keys and the erasure suppression list, computed by
 * OpenSSL's libcrypto (EVP digests and EVP_MAC), which uses the processor's
 * SHA extensions where present. No other module includes OpenSSL. */
#ifndef AMB_CORE_SHA256_H
#define AMB_CORE_SHA256_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SHA256_LEN 32

/* An incremental digest. sha256_init allocates the libcrypto context and
 * sha256_final or sha256_clear releases it, so every init is paired with
 * exactly one of them. Copy a running digest with sha256_copy, never by
 * assignment. */
struct sha256 {
	void *ctx; /* EVP_MD_CTX */
};

void sha256_init(struct sha256 *s);
void sha256_update(struct sha256 *s, const void *data, size_t len);
/* Writes the digest and releases the context. */
void sha256_final(struct sha256 *s, uint8_t out[SHA256_LEN]);
/* Releases the context without a digest; accepts a cleared struct. */
void sha256_clear(struct sha256 *s);
/* Starts *dst as a copy of the running digest src (dst must not hold a
 * context). */
void sha256_copy(struct sha256 *dst, const struct sha256 *src);
/* One-shot helpers. */
void sha256(uint8_t out[SHA256_LEN], const void *data, size_t len);
void hmac_sha256(uint8_t out[SHA256_LEN], const void *key, size_t key_len, const void *msg,
                 size_t msg_len);
/* Lower-case hex of a digest into out (2 * SHA256_LEN + 1 bytes). */
void sha256_hex(char out[2 * SHA256_LEN + 1], const uint8_t digest[SHA256_LEN]);
/* libcrypto's version, e.g. "OpenSSL 3.0.15 3 Sep 2024" (static). */
const char *sha256_library_version(void);

#endif
