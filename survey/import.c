/* import.c - the shared import frame: transaction + ledger, error list,
 * rejects CSV, progress line. The context owns the reader, the rejects file
 * and the header copy; the summary (and its error strings) belongs to the
 * caller. */
#include "survey/import.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/err.h"
#include "core/mem.h"
#include "core/num.h"
#include "core/testhook.h"

struct import_ctx {
	store *store;
	csv_reader *reader;
	struct import_opts opts;
	struct import_summary *sum;
	struct import_record rec;
	char *path;
	/* An import of several parts (import_begin_parts): the input's name
	 * for the ledger and the rejects file, and a digest over the parts'. */
	char *base;
	bool parts, parts_sha_open;
	struct sha256 parts_sha;
	char **header;
	size_t nheader;
	bool *shown; /* NULL: every column goes to the rejects file */
	FILE *rejects;
	char *rejects_tmp; /* written here, renamed to sum->rejects_path at the end */
	double last_draw;
	bool drew;
	int fault;         /* test hook: FAULT_* from $AMB_FAULT */
	int64_t fault_row; /* mid_insert: after this many kept rows */
};

/* Test hook for the crash tests (core/testhook.h; tests/e2e/test_crash.py, docs/testing.md, section
 * 'Faults, fuzzing and analysers'): $AMB_FAULT = after_begin | mid_insert | before_commit |
 * after_commit makes the process kill itself with SIGKILL at that point of an import, as a kill -9
 * from outside would. mid_insert fires after the $AMB_FAULT_ROW-th kept row (default 1000). Unset,
 * it costs one getenv per import; a product build has no such hook. */
enum { FAULT_NONE, FAULT_AFTER_BEGIN, FAULT_MID_INSERT, FAULT_BEFORE_COMMIT, FAULT_AFTER_COMMIT };

static void fault_init(import_ctx *c)
{
	static const char *const names[] = {"", "after_begin", "mid_insert", "before_commit",
	                                    "after_commit"};
	const char *v = testhook_env("AMB_FAULT"), *row = testhook_env("AMB_FAULT_ROW");

	if (!row || num_int(row, 0, INT64_MAX, &c->fault_row) != 0)
		c->fault_row = 1000;
	for (int i = 1; v && i < (int)(sizeof(names) / sizeof(names[0])); i++)
		if (strcmp(v, names[i]) == 0)
			c->fault = i;
}

static void fault_point(const import_ctx *c, int where)
{
	if (c->fault == where && where != FAULT_NONE)
		raise(SIGKILL);
}

void import_summary_clear(struct import_summary *sum)
{
	for (size_t i = 0; i < sum->nerrors; i++)
		free(sum->errors[i]);
	free(sum->errors);
	sum->errors = NULL;
	sum->nerrors = 0;
}

void import_note_add(struct import_summary *sum, const char *label, int64_t n)
{
	for (size_t i = 0; i < sum->nnotes; i++) {
		if (strcmp(sum->notes[i].label, label) == 0) {
			sum->notes[i].count += n;
			return;
		}
	}
	if (sum->nnotes < IMPORT_MAX_NOTES) {
		sum->notes[sum->nnotes].label = label;
		sum->notes[sum->nnotes].count = n;
		sum->nnotes++;
	}
}

static const char *base_name(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash ? slash + 1 : path;
}

static int64_t mtime_ns(const struct stat *st)
{
	return (int64_t)st->st_mtim.tv_sec * 1000000000 + st->st_mtim.tv_nsec;
}

int import_known_bytes(store *s, const char *kind, const char *path, const struct import_opts *opts,
                       struct import_summary *sum)
{
	enum { CHUNK = 1 << 20 };
	struct import_record prev;
	struct sha256 sha;
	struct stat st;
	uint8_t digest[SHA256_LEN];
	char *chunk;
	ssize_t n;
	int fd, rc;

	memset(&sum->bytes, 0, sizeof(sum->bytes));
	if (opts->force || strcmp(path, "-") == 0)
		return 0;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return 0; /* the import says why */
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return 0;
	}
	chunk = xmalloc(CHUNK);
	sha256_init(&sha);
	while ((n = read(fd, chunk, CHUNK)) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			break;
		sha256_update(&sha, chunk, (size_t)n);
	}
	sha256_final(&sha, digest);
	free(chunk);
	close(fd);
	if (n < 0)
		return 0; /* the import reads it again and says why */
	sha256_hex(sum->bytes.sha256, digest);
	sum->bytes.size = (int64_t)st.st_size;
	sum->bytes.mtime_ns = mtime_ns(&st);
	if ((rc = store_import_find_bytes(s, kind, sum->bytes.sha256, &prev)) <= 0)
		return rc;
	sum->duplicate = true;
	sum->duplicate_bytes = true;
	sum->duplicate_of = prev.id;
	return 1;
}

/* The bytes hash of import_known_bytes, if the file is still the one it
 * read (same size and modification time): otherwise nothing is recorded. */
static void keep_bytes_hash(import_ctx *c)
{
	struct stat st;

	if (!*c->sum->bytes.sha256 || stat(c->path, &st) != 0 ||
	    (int64_t)st.st_size != c->sum->bytes.size || mtime_ns(&st) != c->sum->bytes.mtime_ns)
		return;
	memcpy(c->rec.bytes_sha256, c->sum->bytes.sha256, sizeof(c->rec.bytes_sha256));
}

/* What both beginnings share: the context with its options, and the
 * ledger row's kind and source (the base name of `name`). */
static import_ctx *ctx_new(store *s, const char *kind, const char *name,
                           const struct import_opts *opts, struct import_summary *sum)
{
	import_ctx *c = xcalloc(1, sizeof(*c));

	c->store = s;
	c->sum = sum;
	c->opts = *opts;
	if (!c->opts.max_errors)
		c->opts.max_errors = IMPORT_DEFAULT_MAX_ERRORS;
	/* Excel in much of Europe separates with ';': take it from the header. */
	c->opts.csv.sniff_delimiter = !c->opts.csv.delimiter;
	c->path = xstrdup(name);
	fault_init(c);
	snprintf(c->rec.kind, sizeof(c->rec.kind), "%s", kind);
	snprintf(c->rec.source, sizeof(c->rec.source), "%s", base_name(name));
	return c;
}

/* Begin the transaction and the pending ledger row. */
static int ctx_start(import_ctx *c)
{
	int rc;

	if ((rc = store_begin(c->store)) ||
	    (rc = store_import_start(c->store, c->rec.kind, c->rec.source, &c->rec.id)))
		return rc;
	c->sum->import_id = c->rec.id;
	fault_point(c, FAULT_AFTER_BEGIN);
	return 0;
}

int import_begin(import_ctx **out, store *s, const char *kind, const char *path,
                 const struct import_opts *opts, struct import_summary *sum)
{
	import_ctx *c = ctx_new(s, kind, path, opts, sum);
	int rc;

	*out = NULL;
	if (!c->opts.csv.prefetch_from)
		c->opts.csv.prefetch_from = CSV_PREFETCH_FROM; /* parse ahead in a thread */
	if ((rc = csv_reader_open(&c->reader, path, &c->opts.csv)))
		goto fail;
	/* A smaller page cache than the default: a large activity import
	 * writes its weekly cells in sorted sweeps over the whole table, which
	 * no cache of this size holds, so 32 MiB imports 10M events as fast as
	 * 64 MiB (measured), and the peak memory of an import then does not
	 * depend on how much of the file's data fits in the cache. */
	if ((rc = store_set_cache_mib(s, 32)) || (rc = ctx_start(c)))
		goto fail;
	*out = c;
	return 0;
fail:
	import_abort(&c);
	return rc;
}

int import_begin_parts(import_ctx **out, store *s, const char *kind, const char *name,
                       const struct import_opts *opts, struct import_summary *sum)
{
	import_ctx *c = ctx_new(s, kind, name, opts, sum);
	int rc;

	*out = NULL;
	c->opts.csv.prefetch_from = 0; /* parts are in memory */
	c->base = xstrdup(name);
	c->parts = true;
	sha256_init(&c->parts_sha);
	c->parts_sha_open = true;
	if ((rc = ctx_start(c))) {
		import_abort(&c);
		return rc;
	}
	*out = c;
	return 0;
}

/* Fold the finished part's name and digest into the import's digest. */
static void fold_part(import_ctx *c)
{
	uint8_t d[SHA256_LEN];
	const char *name = base_name(c->path);

	if (!c->reader)
		return;
	csv_reader_digest(c->reader, d);
	sha256_update(&c->parts_sha, name, strlen(name) + 1);
	sha256_update(&c->parts_sha, d, sizeof(d));
	csv_reader_close(&c->reader);
}

int import_part(import_ctx *c, const char *part_name, const char *data, size_t len)
{
	fold_part(c);
	free(c->path);
	c->path = xasprintf("%s/%s", c->base, part_name);
	return csv_reader_open_mem(&c->reader, c->path, data, len, &c->opts.csv);
}

csv_reader *import_reader(import_ctx *c)
{
	return c->reader;
}

int64_t import_id(const import_ctx *c)
{
	return c->rec.id;
}

const char *import_name(const import_ctx *c)
{
	return c->path;
}

void import_set_header(import_ctx *c, const struct csv_row *header)
{
	for (size_t i = 0; i < c->nheader; i++)
		free(c->header[i]);
	free(c->header);
	free(c->shown);
	c->shown = NULL;
	c->header = xcalloc(header->count, sizeof(char *));
	c->nheader = header->count;
	for (size_t i = 0; i < header->count; i++)
		c->header[i] = xstrdup(header->fields[i]);
}

void import_rejects_columns(import_ctx *c, const bool *shown, size_t n)
{
	free(c->shown);
	c->shown = xcalloc(c->nheader ? c->nheader : 1, sizeof(bool));
	for (size_t i = 0; i < n && i < c->nheader; i++)
		c->shown[i] = shown[i];
}

static bool shown(const import_ctx *c, size_t i)
{
	if (c->parts)
		return false; /* the parts' columns differ: line and reason only */
	return !c->shown || (i < c->nheader && c->shown[i]);
}

static double now_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void draw_progress(import_ctx *c, bool final)
{
	double t = now_seconds();
	static _Thread_local double started;

	if (!c->opts.progress || !c->reader)
		return;
	if (!c->drew)
		started = t;
	if (!final && c->drew && t - c->last_draw < 0.2)
		return;
	uint64_t size = csv_reader_size(c->reader), done = csv_reader_bytes_read(c->reader);
	double rate = t > started ? (double)c->sum->rows_read / (t - started) : 0;
	fprintf(stderr, "\r%s: %lld rows, %.0f rows/s", c->rec.source, (long long)c->sum->rows_read,
	        rate);
	if (size)
		fprintf(stderr, ", %3.0f%%", 100.0 * (double)done / (double)size);
	fprintf(stderr, final ? "\n" : "   ");
	c->last_draw = t;
	c->drew = true;
}

int import_next(import_ctx *c, struct csv_row *row)
{
	int rc = csv_reader_next(c->reader, row);

	if (rc == 1) {
		c->sum->rows_read++;
		if ((c->sum->rows_read & 1023) == 0)
			draw_progress(c, false);
	}
	return rc;
}

static int open_rejects(import_ctx *c)
{
	if (c->rejects)
		return 0;
	if (c->opts.rejects_path)
		snprintf(c->sum->rejects_path, sizeof(c->sum->rejects_path), "%s",
		         c->opts.rejects_path);
	else
		snprintf(c->sum->rejects_path, sizeof(c->sum->rejects_path), "%s.rejects.csv",
		         c->base ? c->base : c->path);
	/* The file holds names and e-mails: 0600 (mkstemp), created new so it
	 * never writes through a symlink planted at the name; renamed into
	 * place at the end, which replaces such a link instead of following
	 * it. */
	c->rejects_tmp = xasprintf("%s.XXXXXX", c->sum->rejects_path);
	int fd = mkstemp(c->rejects_tmp);
	if (fd < 0 || !(c->rejects = fdopen(fd, "w"))) {
		int rc = err_set(ERR_IO, "cannot write %s: %s", c->rejects_tmp, strerror(errno));
		if (fd >= 0) {
			close(fd);
			unlink(c->rejects_tmp);
		}
		free(c->rejects_tmp);
		c->rejects_tmp = NULL;
		return rc;
	}
	fputs("line,error", c->rejects);
	for (size_t i = 0; i < c->nheader; i++) {
		if (!shown(c, i))
			continue;
		fputc(',', c->rejects);
		csv_write_field(c->rejects, c->header[i], false);
	}
	fputc('\n', c->rejects);
	return 0;
}

int import_reject(import_ctx *c, const struct csv_row *row, int column, const char *fmt, ...)
{
	char reason[512], line[48];
	char *msg;
	va_list ap;
	int rc;

	va_start(ap, fmt);
	vsnprintf(reason, sizeof(reason), fmt, ap);
	va_end(ap);
	if (column >= 0 && (size_t)column < c->nheader)
		msg = xasprintf("%s:%lld:%d: %s (column '%s')", c->path, (long long)row->line,
		                column + 1, reason, c->header[column]);
	else
		msg = xasprintf("%s:%lld:%d: %s", c->path, (long long)row->line,
		                column >= 0 ? column + 1 : 1, reason);
	c->sum->rows_rejected++;
	c->sum->errors_total++;
	if (c->sum->nerrors < c->opts.max_errors) {
		c->sum->errors = xreallocarray(c->sum->errors, c->sum->nerrors + 1, sizeof(char *));
		c->sum->errors[c->sum->nerrors++] = msg;
	} else {
		free(msg);
	}
	if (!c->opts.skip_invalid)
		return 0;
	if ((rc = open_rejects(c)))
		return rc;
	if (c->parts) /* which part: "Shares.csv:12" */
		snprintf(line, sizeof(line), "%.20s:%lld", base_name(c->path),
		         (long long)row->line);
	else
		snprintf(line, sizeof(line), "%lld", (long long)row->line);
	csv_write_field(c->rejects, line, true);
	fputc(',', c->rejects);
	csv_write_field(c->rejects, reason, false);
	for (size_t i = 0; i < row->count; i++) {
		if (!shown(c, i))
			continue;
		fputc(',', c->rejects);
		csv_write_field(c->rejects, row->fields[i], false);
	}
	fputc('\n', c->rejects);
	return 0;
}

void import_skip(import_ctx *c, const char *label)
{
	c->sum->rows_skipped++;
	import_note_add(c->sum, label, 1);
}

void import_note(import_ctx *c, const char *label, int64_t n)
{
	import_note_add(c->sum, label, n);
}

void import_keep(import_ctx *c)
{
	c->sum->rows_kept++;
	if (c->sum->rows_kept == c->fault_row)
		fault_point(c, FAULT_MID_INSERT);
}

/* Close the rejects file; keep: move it to its name (ERR_IO when that
 * fails), otherwise remove it. */
static int close_rejects(import_ctx *c, bool keep)
{
	int rc = 0;

	if (!c->rejects)
		return 0;
	if (fclose(c->rejects) != 0 && keep)
		rc = err_set(ERR_IO, "cannot write %s: %s", c->sum->rejects_path, strerror(errno));
	c->rejects = NULL;
	if (keep && !rc && rename(c->rejects_tmp, c->sum->rejects_path) != 0)
		rc = err_set(ERR_IO, "cannot write %s: %s", c->sum->rejects_path, strerror(errno));
	if (!keep || rc)
		unlink(c->rejects_tmp);
	free(c->rejects_tmp);
	c->rejects_tmp = NULL;
	return rc;
}

static void ctx_free(import_ctx *c)
{
	csv_reader_close(&c->reader);
	for (size_t i = 0; i < c->nheader; i++)
		free(c->header[i]);
	free(c->header);
	free(c->shown);
	close_rejects(c, false);
	free(c->path);
	free(c->base);
	if (c->parts_sha_open)
		sha256_clear(&c->parts_sha);
	free(c);
}

int import_end(import_ctx **cp)
{
	import_ctx *c = *cp;
	struct import_record prev;
	uint8_t digest[SHA256_LEN];
	int rc;

	*cp = NULL;
	draw_progress(c, true);
	if (c->sum->rows_rejected && !c->opts.skip_invalid) {
		store_rollback(c->store);
		rc = err_set(ERR_INVALID, "%s: %lld bad row%s; nothing imported", c->path,
		             (long long)c->sum->rows_rejected,
		             c->sum->rows_rejected == 1 ? "" : "s");
		goto out;
	}
	if ((rc = close_rejects(c, true))) {
		store_rollback(c->store);
		goto out;
	}
	if (c->parts) {
		fold_part(c);
		sha256_final(&c->parts_sha, digest);
		c->parts_sha_open = false;
	} else {
		csv_reader_digest(c->reader, digest);
		keep_bytes_hash(c);
	}
	sha256_hex(c->rec.sha256, digest);
	c->rec.rows_read = c->sum->rows_read;
	c->rec.rows_kept = c->sum->rows_kept;
	c->rec.rows_rejected = c->sum->rows_rejected;
	c->rec.rows_skipped = c->sum->rows_skipped;
	c->rec.force = c->opts.force;
	rc = store_import_finish(c->store, &c->rec, &prev);
	if (rc == ERR_DUPLICATE) {
		store_rollback(c->store);
		c->sum->duplicate = true;
		c->sum->duplicate_of = prev.id;
		rc = 0; /* not an error: said in the summary, nothing changed */
		goto out;
	}
	if (rc) {
		store_rollback(c->store);
		goto out;
	}
	fault_point(c, FAULT_BEFORE_COMMIT);
	rc = store_commit(c->store);
	if (rc == 0) {
		c->sum->committed = true;
		fault_point(c, FAULT_AFTER_COMMIT);
	}
out:
	ctx_free(c);
	return rc;
}

void import_abort(import_ctx **cp)
{
	import_ctx *c = *cp;

	if (!c)
		return;
	*cp = NULL;
	if (c->store)
		store_rollback(c->store);
	ctx_free(c);
}
