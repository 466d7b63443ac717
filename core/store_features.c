/* store_features.c - the activity feature cache (activity_features) and
 * the activity version in meta. A person's platforms are one blob of
 * fixed records, big-endian: platform (2 bytes), weeks_active (2 bytes),
 * then own, conversation, amplification, posts, reactions, comments,
 * shares as the 8-byte IEEE bit patterns of doubles. */
#include "core/store_features.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "core/log.h"
#include "core/mem.h"
#include "core/num.h"
#include "core/store_internal.h"

#define REC_DOUBLES 7
#define REC_BYTES   (4 + 8 * REC_DOUBLES)

static const char key_version[] = STORE_META_ACTIVITY_VERSION;
static const char key_params[] = "activity_features";
static const char key_valid[] = "activity_features_version";

int store_features_forget(store *s, int64_t pid)
{
	static const char sql[] = "DELETE FROM activity_features WHERE pid = ?";
	int64_t v, valid;
	sqlite3_stmt *st;
	int rc;

	if ((rc = store_meta_int(s, key_version, &v)) ||
	    (rc = store_meta_int(s, key_valid, &valid)))
		return rc;
	if ((rc = store_prepare(s, sql, &st)))
		return rc;
	if ((rc = store_bind(s, st, "removing a person's activity features", BIND_INT(pid))) ||
	    (rc = store_step_done(s, st, "removing a person's activity features")))
		return rc;
	if ((rc = store_meta_set_int(s, key_version, v + 1)))
		return rc;
	/* The cache matched the weekly cells and lost exactly what they lost. */
	return valid == v ? store_meta_set_int(s, key_valid, v + 1) : 0;
}

int store_features_valid(store *s, const char *key, int64_t *out_version)
{
	int64_t valid;
	char *params = NULL;
	int rc;

	if ((rc = store_meta_int(s, key_version, out_version)) ||
	    (rc = store_meta_int(s, key_valid, &valid)))
		return rc;
	if ((rc = store_meta_get(s, key_params, &params)) < 0)
		return rc;
	rc = rc == 1 && valid == *out_version && strcmp(params, key) == 0;
	free(params);
	return rc;
}

static uint64_t get_be(const unsigned char *p, int n)
{
	uint64_t v = 0;

	for (int i = 0; i < n; i++)
		v = v << 8 | p[i];
	return v;
}

static void put_be(unsigned char *p, int n, uint64_t v)
{
	for (int i = n - 1; i >= 0; i--, v >>= 8)
		p[i] = (unsigned char)v;
}

static double get_double(const unsigned char *p)
{
	uint64_t bits = get_be(p, 8);
	double d;

	memcpy(&d, &bits, sizeof(d));
	return d;
}

static void put_double(unsigned char *p, double d)
{
	uint64_t bits;

	memcpy(&bits, &d, sizeof(bits));
	put_be(p, 8, bits);
}

int store_features_each(store *s, store_feature_fn fn, void *ctx)
{
	static const char sql[] = "SELECT pid, weeks_active, steady_weight, platforms, coarse"
	                          " FROM activity_features ORDER BY pid";
	struct feature_platform *plats = NULL;
	size_t cap = 0;
	sqlite3_stmt *st;
	int rc, stop = 0;

	if ((rc = store_prepare(s, sql, &st)))
		return rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct feature_row r = {
		    .pid = sqlite3_column_int64(st, 0),
		    .weeks_active = sqlite3_column_int(st, 1),
		    .steady_weight = sqlite3_column_double(st, 2),
		    .coarse = sqlite3_column_int(st, 4) != 0,
		};
		const unsigned char *blob = sqlite3_column_blob(st, 3);
		size_t len = (size_t)sqlite3_column_bytes(st, 3);
		if (len % REC_BYTES || (len && !blob)) {
			stop = err_set(ERR_CORRUPT, "activity features of pid %lld have %zu bytes",
			               (long long)r.pid, len);
			break;
		}
		r.nplats = len / REC_BYTES;
		if (r.nplats > cap) {
			cap = r.nplats;
			plats = xreallocarray(plats, cap, sizeof(*plats));
		}
		for (size_t i = 0; i < r.nplats; i++) {
			const unsigned char *p = blob + i * REC_BYTES;
			double v[REC_DOUBLES];
			for (int k = 0; k < REC_DOUBLES; k++)
				v[k] = get_double(p + 4 + 8 * k);
			plats[i] = (struct feature_platform){
			    .platform = (int64_t)get_be(p, 2),
			    .weeks_active = (int)get_be(p + 2, 2),
			    .own = v[0],
			    .conversation = v[1],
			    .amplification = v[2],
			    .posts = v[3],
			    .reactions = v[4],
			    .comments = v[5],
			    .shares = v[6],
			};
		}
		r.plats = plats;
		if ((stop = fn(ctx, &r)))
			break;
	}
	sqlite3_reset(st);
	free(plats);
	if (stop)
		return stop;
	return rc == SQLITE_DONE ? 0 : store_sqlerr(s, rc, "reading activity features");
}

static int replace_rows(store *s, const char *key, int64_t version, store_feature_next_fn next,
                        void *ctx)
{
	static const char clear[] = "DELETE FROM activity_features";
	static const char add[] = "INSERT INTO activity_features(pid, weeks_active, steady_weight,"
	                          " platforms, coarse) VALUES(?, ?, ?, ?, ?)";
	size_t cap = 16 * REC_BYTES;
	unsigned char *blob;
	sqlite3_stmt *st;
	int rc;

	if ((rc = store_prepare(s, clear, &st)) ||
	    (rc = store_step_done(s, st, "clearing activity features")))
		return rc;
	if ((rc = store_prepare(s, add, &st)))
		return rc;
	blob = xmalloc(cap); /* grown for people with more platforms */
	for (;;) {
		struct feature_row r = {0};
		if ((rc = next(ctx, &r)))
			break;
		if (r.nplats > 0xffff) {
			rc = err_set(ERR_INTERNAL, "too many platforms for one person");
			break;
		}
		if (r.nplats * REC_BYTES > cap) {
			cap = r.nplats * REC_BYTES;
			blob = xrealloc(blob, cap);
		}
		for (size_t i = 0; i < r.nplats; i++) {
			const struct feature_platform *f = &r.plats[i];
			unsigned char *p = blob + i * REC_BYTES;
			const double v[REC_DOUBLES] = {f->own,   f->conversation, f->amplification,
			                               f->posts, f->reactions,    f->comments,
			                               f->shares};
			put_be(p, 2, (uint64_t)f->platform);
			put_be(p + 2, 2, (uint64_t)f->weeks_active);
			for (int k = 0; k < REC_DOUBLES; k++)
				put_double(p + 4 + 8 * k, v[k]);
		}
		if ((rc = store_bind(s, st, "saving activity features", BIND_INT(r.pid),
		                     BIND_INT(r.weeks_active), BIND_REAL(r.steady_weight),
		                     BIND_BLOB(blob, (int)(r.nplats * REC_BYTES)),
		                     BIND_INT(r.coarse ? 1 : 0))) ||
		    (rc = store_step_done(s, st, "saving activity features")))
			break;
	}
	free(blob);
	if (rc != 1) /* an err_code; 1 is the end of the rows */
		return rc;
	if ((rc = store_meta_set(s, key_params, key)))
		return rc;
	return store_meta_set_int(s, key_valid, version);
}

int store_features_replace(store *s, const char *key, int64_t version, store_feature_next_fn next,
                           void *ctx)
{
	int rc;

	/* A savepoint: the cache is an optimisation, so a failure to store it
	 * (a full disk, say) undoes only its own writes and the caller's
	 * transaction goes on, unless SQLite has ended that transaction. */
	if ((rc = store_exec(s, "SAVEPOINT activity_features")))
		return rc;
	rc = replace_rows(s, key, version, next, ctx);
	if (rc == 0)
		return store_exec(s, "RELEASE activity_features");
	if (sqlite3_get_autocommit(s->db))
		return rc; /* the transaction is gone: the caller must know */
	log_warn("activity feature cache not saved (%s); the next score reads the weekly cells",
	         err_msg());
	if (store_exec(s, "ROLLBACK TO activity_features") ||
	    store_exec(s, "RELEASE activity_features"))
		return rc;
	return 0;
}
