/* sha256.c - a small, portable SHA-256 written from FIPS 180-4. */
#include "core/sha256.h"

#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "core/testhook.h"

static const uint32_t K[64] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2};

static uint32_t rotr(uint32_t x, unsigned n)
{
	return (x >> n) | (x << (32 - n));
}

static void compress_portable(struct sha256 *s, const uint8_t *p)
{
	uint32_t w[64], a, b, c, d, e, f, g, h;

	for (int i = 0; i < 16; i++)
		w[i] = (uint32_t)p[4 * i] << 24 | (uint32_t)p[4 * i + 1] << 16 |
		       (uint32_t)p[4 * i + 2] << 8 | (uint32_t)p[4 * i + 3];
	for (int i = 16; i < 64; i++) {
		uint32_t s0 = rotr(w[i - 15], 7) ^ rotr(w[i - 15], 18) ^ (w[i - 15] >> 3);
		uint32_t s1 = rotr(w[i - 2], 17) ^ rotr(w[i - 2], 19) ^ (w[i - 2] >> 10);
		w[i] = w[i - 16] + s0 + w[i - 7] + s1;
	}
	a = s->h[0], b = s->h[1], c = s->h[2], d = s->h[3];
	e = s->h[4], f = s->h[5], g = s->h[6], h = s->h[7];
	for (int i = 0; i < 64; i++) {
		uint32_t t1 = h + (rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)) + ((e & f) ^ (~e & g)) +
		              K[i] + w[i];
		uint32_t t2 =
		    (rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)) + ((a & b) ^ (a & c) ^ (b & c));
		h = g, g = f, f = e, e = d + t1;
		d = c, c = b, b = a, a = t1 + t2;
	}
	s->h[0] += a, s->h[1] += b, s->h[2] += c, s->h[3] += d;
	s->h[4] += e, s->h[5] += f, s->h[6] += g, s->h[7] += h;
}

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <cpuid.h>
#include <immintrin.h>

/* The x86 SHA extensions (SHA-NI): the same function, about five times
 * faster, used when the processor has them (sha256_accelerated()).
 *
 * sha256rnds2 runs two rounds on the state held as (A,B,E,F) and (C,D,G,H)
 * in two registers, taking W[i] + K[i] for the two rounds in the low two
 * lanes of its third operand. sha256msg1 and sha256msg2 compute the
 * message schedule four words at a time:
 *   W[i..i+3] = msg2(msg1(W[i-16..], W[i-12..]) + W[i-7..i-4], W[i-4..]). */
__attribute__((target("sha,sse4.1"))) static void compress_shani(struct sha256 *s, const uint8_t *p)
{
	const __m128i bswap = _mm_set_epi8(12, 13, 14, 15, 8, 9, 10, 11, 4, 5, 6, 7, 0, 1, 2, 3);
	__m128i dcba = _mm_loadu_si128((const __m128i *)&s->h[0]);
	__m128i hgfe = _mm_loadu_si128((const __m128i *)&s->h[4]);
	/* (h0..h3) = lanes a b c d from low to high; rearrange into ABEF/CDGH
	 * with A in the highest lane, as the instructions expect. */
	__m128i cdab = _mm_shuffle_epi32(dcba, 0xB1);
	__m128i efgh = _mm_shuffle_epi32(hgfe, 0x1B);
	__m128i abef = _mm_alignr_epi8(cdab, efgh, 8);
	__m128i cdgh = _mm_blend_epi16(efgh, cdab, 0xF0);
	const __m128i abef0 = abef, cdgh0 = cdgh;
	__m128i w[4];

	for (int g = 0; g < 16; g++) {
		__m128i m, k = _mm_loadu_si128((const __m128i *)&K[4 * g]);
		if (g < 4) {
			w[g] =
			    _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(p + 16 * g)), bswap);
		} else {
			__m128i a = w[g & 3], b = w[(g + 1) & 3], c = w[(g + 2) & 3],
			        d = w[(g + 3) & 3];
			/* a = W[i-16..], b = W[i-12..], c = W[i-8..], d = W[i-4..] */
			__m128i t = _mm_sha256msg1_epu32(a, b);
			t = _mm_add_epi32(t, _mm_alignr_epi8(d, c, 4)); /* W[i-7..i-4] */
			w[g & 3] = _mm_sha256msg2_epu32(t, d);
		}
		m = _mm_add_epi32(w[g & 3], k);
		cdgh = _mm_sha256rnds2_epu32(cdgh, abef, m);
		m = _mm_shuffle_epi32(m, 0x0E);
		abef = _mm_sha256rnds2_epu32(abef, cdgh, m);
	}
	abef = _mm_add_epi32(abef, abef0);
	cdgh = _mm_add_epi32(cdgh, cdgh0);
	/* Back to (h0..h3), (h4..h7). */
	cdab = _mm_shuffle_epi32(abef, 0x1B);     /* F E B A */
	efgh = _mm_shuffle_epi32(cdgh, 0xB1);     /* G H C D -> lanes */
	dcba = _mm_blend_epi16(cdab, efgh, 0xF0); /* D C B A */
	hgfe = _mm_alignr_epi8(efgh, cdab, 8);    /* H G F E */
	_mm_storeu_si128((__m128i *)&s->h[0], dcba);
	_mm_storeu_si128((__m128i *)&s->h[4], hgfe);
}

static bool cpu_has_shani(void)
{
	unsigned a, b, c, d;

	if (!__get_cpuid(1, &a, &b, &c, &d) || !(c & bit_SSE4_1) || !(c & bit_SSSE3))
		return false;
	if (__get_cpuid_max(0, NULL) < 7)
		return false;
	__cpuid_count(7, 0, a, b, c, d);
	return (b & (1u << 29)) != 0; /* CPUID.(EAX=7,ECX=0):EBX.SHA[bit 29] */
}
#else
static bool cpu_has_shani(void)
{
	return false;
}
#define compress_shani compress_portable
#endif

/* -1 unknown, 0 portable, 1 SHA-NI. Racing first calls store the same
 * value, so a relaxed atomic is enough. AMB_SHA256_PORTABLE=1 forces the
 * portable code in test builds (core/testhook.h; tests compare the two). */
static _Atomic int use_shani = -1;

bool sha256_accelerated(void)
{
	int v = atomic_load_explicit(&use_shani, memory_order_relaxed);

	if (v < 0) {
		const char *env = testhook_env("AMB_SHA256_PORTABLE");
		v = cpu_has_shani() && !(env && *env == '1');
		atomic_store_explicit(&use_shani, v, memory_order_relaxed);
	}
	return v == 1;
}

void sha256_force_portable(bool portable)
{
	atomic_store_explicit(&use_shani, portable ? 0 : cpu_has_shani(), memory_order_relaxed);
}

static void compress(struct sha256 *s, const uint8_t *p)
{
	if (sha256_accelerated())
		compress_shani(s, p);
	else
		compress_portable(s, p);
}

void sha256_init(struct sha256 *s)
{
	static const uint32_t iv[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
	                               0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};

	memcpy(s->h, iv, sizeof(iv));
	s->total = 0;
	s->used = 0;
}

void sha256_update(struct sha256 *s, const void *data, size_t len)
{
	const uint8_t *p = data;

	s->total += len;
	if (s->used) {
		size_t take = 64 - s->used < len ? 64 - s->used : len;
		memcpy(s->block + s->used, p, take);
		s->used += take, p += take, len -= take;
		if (s->used < 64)
			return;
		compress(s, s->block);
		s->used = 0;
	}
	for (; len >= 64; p += 64, len -= 64)
		compress(s, p);
	memcpy(s->block, p, len);
	s->used = len;
}

void sha256_final(struct sha256 *s, uint8_t out[SHA256_LEN])
{
	uint64_t bits = s->total * 8;
	uint8_t pad = 0x80, zero = 0, len[8];

	sha256_update(s, &pad, 1);
	while (s->used != 56)
		sha256_update(s, &zero, 1);
	for (int i = 0; i < 8; i++)
		len[i] = (uint8_t)(bits >> (56 - 8 * i));
	sha256_update(s, len, 8);
	for (int i = 0; i < 8; i++) {
		out[4 * i] = (uint8_t)(s->h[i] >> 24);
		out[4 * i + 1] = (uint8_t)(s->h[i] >> 16);
		out[4 * i + 2] = (uint8_t)(s->h[i] >> 8);
		out[4 * i + 3] = (uint8_t)s->h[i];
	}
}

void sha256(uint8_t out[SHA256_LEN], const void *data, size_t len)
{
	struct sha256 s;

	sha256_init(&s);
	sha256_update(&s, data, len);
	sha256_final(&s, out);
}

void hmac_sha256(uint8_t out[SHA256_LEN], const void *key, size_t key_len, const void *msg,
                 size_t msg_len)
{
	uint8_t k[64] = {0}, pad[64], inner[SHA256_LEN];
	struct sha256 s;

	if (key_len > 64)
		sha256(k, key, key_len);
	else
		memcpy(k, key, key_len);
	for (int i = 0; i < 64; i++)
		pad[i] = k[i] ^ 0x36;
	sha256_init(&s);
	sha256_update(&s, pad, 64);
	sha256_update(&s, msg, msg_len);
	sha256_final(&s, inner);
	for (int i = 0; i < 64; i++)
		pad[i] = k[i] ^ 0x5c;
	sha256_init(&s);
	sha256_update(&s, pad, 64);
	sha256_update(&s, inner, SHA256_LEN);
	sha256_final(&s, out);
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
