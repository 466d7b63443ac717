/* labels.c - the answer-label table: built-in agreement labels plus those
 * from --labels, folded and kept sorted for binary search. The set owns
 * every folded string. */
#include "survey/labels.h"

#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "core/mem.h"
#include "core/num.h"
#include "core/text.h"
#include "survey/codebook.h"

struct label {
	char *folded;
	double value, value7; /* value7: built-in labels on a seven-point scale */
	enum label_origin origin;
};

struct labels {
	struct label *v;
	size_t n, cap;
};

/* The built-in agreement labels with their values on a five-point scale
 * (1 = disagree strongly ... 5 = agree strongly) and on a seven-point one
 * (1 ... 7, "somewhat" / "partly" the points beside the middle), and the
 * "don't know" answers (v5 = 0), which mark an answer missing. docs/hr.md,
 * section 'Survey import', and docs/imports.md list the same table. */
static const struct {
	const char *text;
	int v5, v7;
} builtin[] = {
    /* English */
    {"Strongly disagree", 1, 1},
    {"Disagree", 2, 2},
    {"Somewhat disagree", 2, 3},
    {"Slightly disagree", 2, 3},
    {"Neither agree nor disagree", 3, 4},
    {"Neither agree or disagree", 3, 4},
    {"Neither disagree nor agree", 3, 4},
    {"Neutral", 3, 4},
    {"Somewhat agree", 4, 5},
    {"Slightly agree", 4, 5},
    {"Agree", 4, 6},
    {"Strongly agree", 5, 7},
    /* Danish; "delvis" (partly) is the common wording of points 2 and 4 */
    {"Helt uenig", 1, 1},
    {"Meget uenig", 1, 1},
    {"Uenig", 2, 2},
    {"Delvis uenig", 2, 3},
    {"Lidt uenig", 2, 3},
    {"Hverken enig eller uenig", 3, 4},
    {"Hverken eller", 3, 4},
    {"Delvis enig", 4, 5},
    {"Lidt enig", 4, 5},
    {"Enig", 4, 6},
    {"Helt enig", 5, 7},
    {"Meget enig", 5, 7},
    /* Swedish: the Likert wording "tar avstånd" / "instämmer" */
    {"Tar helt avstånd", 1, 1},
    {"Instämmer inte alls", 1, 1},
    {"Håller inte alls med", 1, 1},
    {"Tar avstånd", 2, 2},
    {"Håller inte med", 2, 2},
    {"Tar delvis avstånd", 2, 3},
    {"Varken eller", 3, 4},
    {"Varken instämmer eller tar avstånd", 3, 4},
    {"Instämmer delvis", 4, 5},
    {"Håller delvis med", 4, 5},
    {"Instämmer", 4, 6},
    {"Håller med", 4, 6},
    {"Instämmer helt", 5, 7},
    {"Håller helt med", 5, 7},
    /* Dutch */
    {"Helemaal mee oneens", 1, 1},
    {"Helemaal oneens", 1, 1},
    {"Mee oneens", 2, 2},
    {"Oneens", 2, 2},
    {"Enigszins mee oneens", 2, 3},
    {"Enigszins oneens", 2, 3},
    {"Neutraal", 3, 4},
    {"Niet eens, niet oneens", 3, 4},
    {"Niet mee eens, niet mee oneens", 3, 4},
    {"Enigszins mee eens", 4, 5},
    {"Enigszins eens", 4, 5},
    {"Mee eens", 4, 6},
    {"Eens", 4, 6},
    {"Helemaal mee eens", 5, 7},
    {"Helemaal eens", 5, 7},
    /* German */
    {"Stimme überhaupt nicht zu", 1, 1},
    {"Stimme gar nicht zu", 1, 1},
    {"Stimme nicht zu", 2, 2},
    {"Stimme eher nicht zu", 2, 3},
    {"Weder noch", 3, 4},
    {"Teils, teils", 3, 4},
    {"Teils/teils", 3, 4},
    {"Stimme eher zu", 4, 5},
    {"Stimme zu", 4, 6},
    {"Stimme voll zu", 5, 7},
    {"Stimme voll und ganz zu", 5, 7},
    /* "Don't know" and "not applicable": a missing answer, on any scale */
    {"Don't know", 0, 0},
    {"Do not know", 0, 0},
    {"I don't know", 0, 0},
    {"Not sure", 0, 0},
    {"No opinion", 0, 0},
    {"N/A", 0, 0},
    {"NA", 0, 0},
    {"Not applicable", 0, 0},
    {"Unfamiliar (N/A)", 0, 0},
    {"Prefer not to say", 0, 0},
    {"Ved ikke", 0, 0},
    {"Ved ikke/ikke relevant", 0, 0},
    {"Ikke relevant", 0, 0},
    {"Ønsker ikke at svare", 0, 0},
    {"Vet ej", 0, 0},
    {"Vet inte", 0, 0},
    {"Ej aktuellt", 0, 0},
    {"Ej tillämpligt", 0, 0},
    {"Weet niet", 0, 0},
    {"Weet ik niet", 0, 0},
    {"Niet van toepassing", 0, 0},
    {"Geen mening", 0, 0},
    {"Weiß nicht", 0, 0},
    {"Weiss nicht", 0, 0},
    {"Kann ich nicht beurteilen", 0, 0},
    {"Keine Angabe", 0, 0},
    {"Nicht zutreffend", 0, 0},
};

/* ASCII folding of U+00C0..U+00FF ("" keeps the character as it is). */
static const char *const latin1[64] = {
    "a", "a", "a", "a", "a", "a", "ae", "c", "e", "e", "e", "e", "i", "i", "i",  "i",
    "d", "n", "o", "o", "o", "o", "o",  "",  "o", "u", "u", "u", "u", "y", "th", "ss",
    "a", "a", "a", "a", "a", "a", "ae", "c", "e", "e", "e", "e", "i", "i", "i",  "i",
    "d", "n", "o", "o", "o", "o", "o",  "",  "o", "u", "u", "u", "u", "y", "th", "y",
};

static void put(char *out, size_t size, size_t *n, const char *s, size_t len)
{
	for (size_t i = 0; i < len && *n + 1 < size; i++)
		out[(*n)++] = s[i];
}

void labels_fold(char *out, size_t size, const char *s)
{
	char nfc[LABELS_MAX_LEN * 2];
	const unsigned char *p = (const unsigned char *)nfc;
	size_t n = 0;
	bool space = false;

	if (!size)
		return;
	/* NFC and case folding first, so a decomposed "a" + U+030A is "å"
	 * and "Ä" is "ä" before the accents are taken off below. */
	text_fold(nfc, sizeof(nfc), s, strlen(s)); /* always NUL-terminates nfc */
	// cppcheck-suppress uninitvar
	while (*p) {
		unsigned cp = 0;
		size_t len = 1;
		if (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n') {
			space = n > 0;
			p++;
			continue;
		}
		if (p[0] == 0xc2 && p[1] == 0xa0) { /* no-break space */
			space = n > 0;
			p += 2;
			continue;
		}
		if (space)
			put(out, size, &n, " ", 1);
		space = false;
		if (p[0] == 0xc3 && p[1] >= 0x80 && p[1] <= 0xbf)
			cp = 0xc0 + (p[1] - 0x80), len = 2;
		if (cp && latin1[cp - 0xc0][0]) {
			put(out, size, &n, latin1[cp - 0xc0], strlen(latin1[cp - 0xc0]));
		} else if (p[0] == 0xc5 && (p[1] == 0x92 || p[1] == 0x93)) { /* Œ œ */
			put(out, size, &n, "oe", 2);
			len = 2;
		} else if (p[0] == 0xe2 && p[1] == 0x80 && (p[2] == 0x98 || p[2] == 0x99)) {
			put(out, size, &n, "'", 1); /* curly apostrophes */
			len = 3;
		} else if (*p >= 'A' && *p <= 'Z') {
			char c = (char)(*p - 'A' + 'a');
			put(out, size, &n, &c, 1);
		} else {
			put(out, size, &n, (const char *)p, len);
		}
		p += len;
	}
	out[n] = '\0';
}

static int cmp_label(const void *a, const void *b)
{
	return strcmp(((const struct label *)a)->folded, ((const struct label *)b)->folded);
}

static struct label *find(const labels *l, const char *folded)
{
	struct label key = {.folded = (char *)folded};

	return l->n ? bsearch(&key, l->v, l->n, sizeof(*l->v), cmp_label) : NULL;
}

/* Add or replace; keeps the array sorted. */
static void add(labels *l, const char *folded, double value, double value7,
                enum label_origin origin)
{
	struct label *have = find(l, folded);
	size_t i;

	if (have) {
		have->value = value;
		have->value7 = value7;
		have->origin = origin;
		return;
	}
	if (l->n == l->cap) {
		l->cap = l->cap ? 2 * l->cap : 64;
		l->v = xreallocarray(l->v, l->cap, sizeof(*l->v));
	}
	for (i = l->n; i > 0 && strcmp(l->v[i - 1].folded, folded) > 0; i--)
		l->v[i] = l->v[i - 1];
	l->v[i].folded = xstrdup(folded);
	l->v[i].value = value;
	l->v[i].value7 = value7;
	l->v[i].origin = origin;
	l->n++;
}

labels *labels_new(void)
{
	labels *l = xcalloc(1, sizeof(*l));
	char folded[LABELS_MAX_LEN];

	for (size_t i = 0; i < sizeof(builtin) / sizeof(builtin[0]); i++) {
		labels_fold(folded, sizeof(folded), builtin[i].text);
		add(l, folded, builtin[i].v5, builtin[i].v7,
		    builtin[i].v5 ? LABEL_BUILTIN : LABEL_MISSING);
	}
	return l;
}

int labels_match(const labels *l, const char *text, struct label_match *out)
{
	char folded[LABELS_MAX_LEN];
	const struct label *hit;

	if (strlen(text) >= LABELS_MAX_LEN)
		return 0;
	labels_fold(folded, sizeof(folded), text);
	hit = find(l, folded);
	if (!hit)
		return 0;
	out->origin = hit->origin;
	out->value = hit->value;
	out->value7 = hit->value7;
	return 1;
}

int labels_find(const labels *l, const char *text, double *out_value, enum label_origin *out_origin)
{
	struct label_match m;

	if (!labels_match(l, text, &m))
		return 0;
	*out_value = m.value;
	if (out_origin)
		*out_origin = m.origin;
	return 1;
}

size_t labels_count(const labels *l)
{
	return l->n;
}

void labels_destroy(labels **lp)
{
	labels *l = lp ? *lp : NULL;

	if (!l)
		return;
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i].folded);
	free(l->v);
	free(l);
	*lp = NULL;
}

/* A label file read so far: folded label -> (value, line), to catch the
 * same label given twice with different values. */
struct seen {
	char *folded;
	double value;
	bool missing;
	int64_t line;
};

static int parse_value(const char *s, double *out)
{
	return num_double(s, out) == 0 ? 0 : -1;
}

static int load_rows(labels *l, csv_reader *r, const char *path, struct seen **seen, size_t *nseen)
{
	struct csv_row row;
	int rc, cl, cv;
	char folded[LABELS_MAX_LEN];
	double v;

	rc = csv_reader_next(r, &row);
	if (rc <= 0)
		return rc ? rc : err_set(ERR_INVALID, "%s:1:1: the labels file is empty", path);
	cl = csv_header_find(&row, "label");
	cv = csv_header_find(&row, "value");
	if (cl < 0 || cv < 0)
		return err_set(ERR_INVALID, "%s:%lld:1: the labels file needs columns label,value",
		               path, (long long)row.line);
	while ((rc = csv_reader_next(r, &row)) == 1) {
		const char *text = row.fields[cl];
		if (!*text)
			return err_set(ERR_INVALID, "%s:%lld:%d: the label is empty", path,
			               (long long)row.line, cl + 1);
		if (row.lens[cl] >= LABELS_MAX_LEN)
			return err_set(ERR_INVALID, "%s:%lld:%d: the label is longer than %d bytes",
			               path, (long long)row.line, cl + 1, LABELS_MAX_LEN - 1);
		/* An empty value marks a "don't know" answer: missing. */
		bool missing = !*row.fields[cv];
		v = 0;
		if (!missing && parse_value(row.fields[cv], &v))
			return err_set(ERR_INVALID,
			               "%s:%lld:%d: value '%s' is not a number (leave it empty for "
			               "an answer that counts as missing)",
			               path, (long long)row.line, cv + 1, row.fields[cv]);
		labels_fold(folded, sizeof(folded), text);
		for (size_t i = 0; i < *nseen; i++) {
			const struct seen *o = &(*seen)[i];
			if (strcmp(o->folded, folded) != 0 ||
			    (o->missing == missing && o->value == v))
				continue;
			if (o->missing || missing)
				return err_set(ERR_INVALID,
				               "%s:%lld:%d: label '%s' is both missing and a value "
				               "(see line %lld)",
				               path, (long long)row.line, cl + 1, text,
				               (long long)o->line);
			return err_set(ERR_INVALID,
			               "%s:%lld:%d: label '%s' was given the value %g on line %lld",
			               path, (long long)row.line, cl + 1, text, o->value,
			               (long long)o->line);
		}
		*seen = xreallocarray(*seen, *nseen + 1, sizeof(**seen));
		(*seen)[*nseen].folded = xstrdup(folded);
		(*seen)[*nseen].value = v;
		(*seen)[*nseen].missing = missing;
		(*seen)[*nseen].line = row.line;
		(*nseen)++;
		add(l, folded, v, 0, missing ? LABEL_MISSING : LABEL_FILE);
	}
	return rc < 0 ? rc : 0;
}

int labels_load(labels *l, const char *path, const struct csv_reader_opts *opts)
{
	struct csv_reader_opts o = opts ? *opts : (struct csv_reader_opts){0};
	struct seen *seen = NULL;
	size_t nseen = 0;
	csv_reader *r = NULL;
	int rc;

	o.delimiter = codebook_sniff_delimiter(path);
	if ((rc = csv_reader_open(&r, path, &o)))
		goto out;
	rc = load_rows(l, r, path, &seen, &nseen);
out:
	csv_reader_close(&r);
	for (size_t i = 0; i < nseen; i++)
		free(seen[i].folded);
	free(seen);
	return rc;
}
