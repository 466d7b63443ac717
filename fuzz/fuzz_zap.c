/* fuzz_zap.c - libFuzzer target I4 (fuzzing, docs/testing.md, section 'Faults, fuzzing and
 * analysers'): bytes -> one ZAP request of 0-8 frames -> ipc_zap_decide_frames
 * against a fixed allowlist of three clients.
 *
 * Input: the first byte is the header (bits 0-3: the number of frames,
 * taken modulo 9; bit 4: frame 6, the CURVE key, is replaced by the raw key
 * of a listed client, bit 5 picking which of the first two; bit 6: the
 * frames are cut at their first NUL, like a text frame). Then each frame is
 * one length byte and that many bytes; a frame cut short by the end of the
 * input takes what is left. Checks, besides what ASan/UBSan see:
 *  - the status is "200", "400" or "500" and nothing else;
 *  - "200" only with version 1.0, domain ambassador, mechanism CURVE and a
 *    32-byte key that ipc_allowlist_lookup finds (checked here on its own,
 *    from the frames), and then User-Id is that key in Z85;
 *  - any other status leaves User-Id empty;
 *  - the same frames give the same answer twice.
 * The replay of tests/regress/fuzz_zap/ (tests/core/test_regress.c)
 * includes this file with AMB_FUZZ_NO_MAIN defined. */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zmq.h>

#include "core/err.h"
#include "ipc/auth.h"

int fuzz_zap_one(const uint8_t *data, size_t size);

#define FZ_MAX_FRAMES 8
#define FZ_NKEYS      3

/* The raw 32-byte public keys of the listed clients; the fourth is a valid
 * key that is not listed. Seeds and the dictionary use the same bytes. */
static const char fz_raw[FZ_NKEYS + 1][33] = {
    "ambassador-fuzz-zap-hr-key-0001!",
    "ambassador-fuzz-zap-intranet-02!",
    "ambassador-fuzz-zap-second-hr-3!",
    "ambassador-fuzz-zap-not-listed-4",
};

static ipc_allowlist *fz_list;

static void fz_check(bool ok, const char *what)
{
	if (!ok) {
		fprintf(stderr, "fuzz_zap: property failed: %s\n", what);
		abort();
	}
}

static void fz_init(void)
{
	static const char *const roles[FZ_NKEYS] = {"hr", "intranet", "hr"};
	char csv[512], z85[41];
	int len = snprintf(csv, sizeof(csv), "public_key,role,name\n");

	if (fz_list)
		return;
	for (int i = 0; i < FZ_NKEYS; i++) {
		fz_check(zmq_z85_encode(z85, (const uint8_t *)fz_raw[i], 32) != NULL, "z85 encode");
		len += snprintf(csv + len, sizeof(csv) - (size_t)len, "%s,%s,client %d\n", z85,
		                roles[i], i);
	}
	fz_check(ipc_allowlist_parse(&fz_list, "fuzz-clients.csv", csv, (size_t)len) == 0,
	         "the fixed allowlist parses");
	fz_check(ipc_allowlist_count(fz_list) == FZ_NKEYS, "three clients listed");
}

/* The frame as a C string compared with `want` (a text frame is read up to
 * its first NUL). */
static bool fz_text_is(const uint8_t *f, size_t len, const char *want)
{
	size_t n = strnlen((const char *)f, len);

	return n == strlen(want) && memcmp(f, want, n) == 0;
}

int fuzz_zap_one(const uint8_t *data, size_t size)
{
	static const uint8_t empty[1] = {0};
	const void *frames[FZ_MAX_FRAMES] = {0};
	size_t lens[FZ_MAX_FRAMES] = {0};
	char user_id[41], again_id[41], z85[41] = "";
	const char *status, *again;
	size_t n, pos = 1;
	bool listed = false;

	fz_init();
	if (size < 1)
		return 0;
	n = (size_t)(data[0] & 0x0f) % (FZ_MAX_FRAMES + 1);
	for (size_t i = 0; i < n; i++) {
		size_t want = pos < size ? data[pos++] : 0;
		size_t take = want < size - pos ? want : size - pos;
		frames[i] = take ? (const void *)(data + pos) : (const void *)empty;
		lens[i] = take;
		if (data[0] & 0x40)
			lens[i] = strnlen(frames[i], take);
		pos += take;
	}
	if ((data[0] & 0x10) && n > 6) {
		frames[6] = fz_raw[(data[0] & 0x20) ? 1 : 0];
		lens[6] = 32;
	}

	memset(user_id, 'x', sizeof(user_id));
	status = ipc_zap_decide_frames(fz_list, frames, lens, n, user_id);
	fz_check(status != NULL, "a status");
	fz_check(strcmp(status, "200") == 0 || strcmp(status, "400") == 0 ||
	             strcmp(status, "500") == 0,
	         "status is 200, 400 or 500");
	fz_check(memchr(user_id, '\0', sizeof(user_id)) != NULL, "User-Id is terminated");

	/* The decision worked out here from the frames alone. */
	if (n > 6 && lens[6] == 32) {
		enum ipc_role role = ROLE_NONE;
		const char *name = NULL;
		fz_check(zmq_z85_encode(z85, frames[6], 32) != NULL, "z85 encode");
		listed = ipc_allowlist_lookup(fz_list, z85, &role, &name);
		fz_check(!listed || role == ROLE_HR || role == ROLE_INTRANET, "a listed role");
	}
	bool admit = listed && fz_text_is(frames[0], lens[0], "1.0") &&
	             fz_text_is(frames[2], lens[2], IPC_ZAP_DOMAIN) &&
	             fz_text_is(frames[5], lens[5], "CURVE");
	if (strcmp(status, "200") == 0) {
		fz_check(admit, "200 only for a listed CURVE key in our domain");
		fz_check(strlen(user_id) == 40 && strcmp(user_id, z85) == 0,
		         "User-Id is the key in Z85");
	} else {
		fz_check(!admit, "a listed CURVE key in our domain is admitted");
		fz_check(user_id[0] == '\0', "no User-Id when refused");
	}

	again = ipc_zap_decide_frames(fz_list, frames, lens, n, again_id);
	fz_check(strcmp(status, again) == 0 && strcmp(user_id, again_id) == 0,
	         "the same request, the same answer");
	return 0;
}

#ifndef AMB_FUZZ_NO_MAIN
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return fuzz_zap_one(data, size);
}
#endif
