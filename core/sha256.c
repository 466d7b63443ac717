/* sha256.c - SHA-256 and HMAC-SHA-256 through OpenSSL's libcrypto.
 *
 * The digest and MAC algorithms are fetched once per process (EVP_MD_fetch,
 * EVP_MAC_fetch) and kept for its lifetime: an implicit fetch on every
 * call is what makes small digests slow in OpenSSL 3. The one-shot
 * sha256() runs on every imported activity row, so it uses EVP_Digest with
 * the fetched algorithm. libcrypto failures here mean out of memory or a
 * broken installation, never bad input, so they abort like xmalloc. */
#include "core/sha256.h"

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/opensslv.h>
#include <openssl/params.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static EVP_MD *md;
static EVP_MAC *mac;
static pthread_once_t fetch_once = PTHREAD_ONCE_INIT;

static void die(const char *what)
{
	fprintf(stderr, "ambassador: libcrypto: %s failed\n", what);
	abort();
}

/* Registered after libcrypto's own exit handler, so it runs first. */
static void free_algorithms(void)
{
	EVP_MD_free(md);
	EVP_MAC_free(mac);
	md = NULL;
	mac = NULL;
}

static void fetch_algorithms(void)
{
	md = EVP_MD_fetch(NULL, "SHA256", NULL);
	mac = EVP_MAC_fetch(NULL, "HMAC", NULL);
	if (!md || !mac)
		die("fetching SHA256 and HMAC");
	atexit(free_algorithms);
}

static const EVP_MD *sha256_md(void)
{
	pthread_once(&fetch_once, fetch_algorithms);
	return md;
}

void sha256_init(struct sha256 *s)
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();

	if (!ctx || EVP_DigestInit_ex2(ctx, sha256_md(), NULL) != 1)
		die("EVP_DigestInit_ex2");
	s->ctx = ctx;
}

void sha256_update(struct sha256 *s, const void *data, size_t len)
{
	if (len && EVP_DigestUpdate(s->ctx, data, len) != 1)
		die("EVP_DigestUpdate");
}

void sha256_final(struct sha256 *s, uint8_t out[SHA256_LEN])
{
	unsigned int n = 0;

	if (EVP_DigestFinal_ex(s->ctx, out, &n) != 1 || n != SHA256_LEN)
		die("EVP_DigestFinal_ex");
	sha256_clear(s);
}

void sha256_clear(struct sha256 *s)
{
	EVP_MD_CTX_free(s->ctx);
	s->ctx = NULL;
}

void sha256_copy(struct sha256 *dst, const struct sha256 *src)
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();

	if (!ctx || EVP_MD_CTX_copy_ex(ctx, src->ctx) != 1)
		die("EVP_MD_CTX_copy_ex");
	dst->ctx = ctx;
}

void sha256(uint8_t out[SHA256_LEN], const void *data, size_t len)
{
	unsigned int n = 0;

	if (EVP_Digest(data, len, out, &n, sha256_md(), NULL) != 1 || n != SHA256_LEN)
		die("EVP_Digest");
}

void hmac_sha256(uint8_t out[SHA256_LEN], const void *key, size_t key_len, const void *msg,
                 size_t msg_len)
{
	OSSL_PARAM params[] = {
	    OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, "SHA256", 0),
	    OSSL_PARAM_construct_end(),
	};
	EVP_MAC_CTX *ctx;
	size_t n = 0;

	pthread_once(&fetch_once, fetch_algorithms);
	ctx = EVP_MAC_CTX_new(mac);
	if (!ctx || EVP_MAC_init(ctx, key, key_len, params) != 1 ||
	    EVP_MAC_update(ctx, msg, msg_len) != 1 ||
	    EVP_MAC_final(ctx, out, &n, SHA256_LEN) != 1 || n != SHA256_LEN)
		die("HMAC-SHA256");
	EVP_MAC_CTX_free(ctx);
}

void sha256_hex(char out[2 * SHA256_LEN + 1], const uint8_t digest[SHA256_LEN])
{
	static const char hex[] = "0123456789abcdef";

	for (int i = 0; i < SHA256_LEN; i++) {
		out[2 * i] = hex[digest[i] >> 4];
		out[2 * i + 1] = hex[digest[i] & 15];
	}
	out[2 * SHA256_LEN] = '\0';
}

const char *sha256_library_version(void)
{
	return OpenSSL_version(OPENSSL_VERSION);
}
