/* gen.c - deterministic synthetic company for the benchmarks.
 *
 * Writes, in the formats of docs/design.md, Contract 2.1-2.3, into OUT/:
 *   roster.csv    employee_id,name,email,department,level,consent
 *   activity.csv  employee_id,occurred_at,platform,kind,origin,post_id,
 *                 reach,reactions,comments,shares,clicks
 *   codebook.csv  column,construct,min,max,reverse (with an `id` row)
 *   survey.csv    one row per respondent, 1..5 answers
 *
 * Activity is skewed as in real advocacy programmes: a third of the people
 * never post, most of the rest rarely, and a few percent post every week.
 * Each person's rate is log-normal; events are spread over --weeks weeks
 * ending before 2026-11-02 and written in time order. 80 % of the events
 * carry a unique post_id. Same arguments, same bytes (xoshiro256**).
 *
 * Standalone on purpose (libc only), so bench/generate can build it with a
 * plain `cc` when the project build is momentarily broken.
 */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct rng {
	uint64_t s[4];
};

static uint64_t splitmix(uint64_t *x)
{
	uint64_t z = (*x += 0x9E3779B97F4A7C15ULL);
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
	return z ^ (z >> 31);
}

static void rng_seed(struct rng *r, uint64_t seed)
{
	for (int i = 0; i < 4; i++)
		r->s[i] = splitmix(&seed);
}

static uint64_t rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

static uint64_t rng_next(struct rng *r)
{
	uint64_t *s = r->s;
	uint64_t result = rotl(s[1] * 5, 7) * 9;
	uint64_t t = s[1] << 17;
	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rotl(s[3], 45);
	return result;
}

/* Uniform in [0, 1). */
static double rng_unit(struct rng *r)
{
	return (double)(rng_next(r) >> 11) * 0x1.0p-53;
}

/* Uniform in [0, n); the tiny modulo bias does not matter here. */
static uint64_t rng_below(struct rng *r, uint64_t n)
{
	return n ? rng_next(r) % n : 0;
}

static double rng_normal(struct rng *r)
{
	double u = rng_unit(r), v = rng_unit(r);
	return sqrt(-2.0 * log(1.0 - u)) * cos(6.283185307179586 * v);
}

static const char *const departments[] = {
    "Development", "Sales", "Finance",  "HR", "Support", "Marketing",
    "Operations",  "Legal", "Research", "IT", "Design",  "Customer Success"};
static const char *const levels[] = {"intern",   "student",  "employee", "employee",
                                     "employee", "employee", "manager",  "partner"};
static const char *const first_names[] = {
    "Anna",  "Lars",   "Sofie", "Mikkel", "Emma",  "Jonas", "Ida",   "Mads", "Freja",
    "Oskar", "Astrid", "Nils",  "Elin",   "Bram",  "Sanne", "Lotte", "Jan",  "Maria",
    "Ahmed", "Fatima", "Chen",  "Priya",  "Lucas", "Olga",  "Tomas", "Eva",  "Hugo"};
static const char *const last_names[] = {
    "Jensen", "Hansen", "Nielsen",  "Berg",  "Dahl", "Visser", "Meijer", "Brandt", "Lund",
    "Holm",   "Smit",   "de Vries", "Novak", "Khan", "Wang",   "Rossi",  "Garcia", "Thygesen"};
/* Weighted draws: repeat entries instead of a weight table. */
static const char *const platforms[] = {"linkedin", "linkedin", "linkedin",  "linkedin",
                                        "linkedin", "linkedin", "instagram", "instagram",
                                        "facebook", "facebook", "tiktok",    "x",
                                        "intranet", "intranet", "other"};
static const char *const platform_prefix[] = {"li", "li", "li", "li", "li", "li", "ig", "ig",
                                              "fb", "fb", "tt", "x",  "in", "in", "ot"};
static const char *const kinds[] = {"reaction", "reaction", "reaction", "reaction", "reaction",
                                    "comment",  "comment",  "comment",  "reshare",  "reshare",
                                    "post",     "post",     "article",  "video"};

#define N(a) (sizeof(a) / sizeof((a)[0]))

struct opts {
	uint64_t people;
	uint64_t events;
	uint64_t seed;
	uint64_t weeks;
	double survey_share;
	const char *out;
};

static int parse_u64(const char *s, uint64_t *out)
{
	char *end;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 10);
	if (errno || end == s || *end || s[0] == '-')
		return -1;
	*out = v;
	return 0;
}

static int parse_count(const char *s, uint64_t *out)
{
	/* Accept 10k / 1M / 20M as well as plain numbers. */
	char buf[32];
	size_t n = strlen(s);
	uint64_t mul = 1;
	if (n == 0 || n >= sizeof buf)
		return -1;
	memcpy(buf, s, n + 1);
	if (buf[n - 1] == 'k' || buf[n - 1] == 'K')
		mul = 1000;
	else if (buf[n - 1] == 'm' || buf[n - 1] == 'M')
		mul = 1000000;
	if (mul != 1)
		buf[n - 1] = '\0';
	if (parse_u64(buf, out))
		return -1;
	*out *= mul;
	return 0;
}

static void usage(FILE *f)
{
	fprintf(f, "usage: bench_gen --people N --events M --out DIR [--seed S] [--weeks W]\n"
	           "                 [--survey-share F]\n"
	           "N and M take k/M suffixes (10k, 1M). Writes roster.csv, activity.csv,\n"
	           "codebook.csv and survey.csv into DIR (which must exist).\n");
}

static int parse_args(struct opts *o, int argc, char **argv)
{
	o->people = 10000;
	o->events = 1000000;
	o->seed = 20240101;
	o->weeks = 104;
	o->survey_share = 0.4;
	o->out = NULL;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		int bad = 0;
		if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
			usage(stdout);
			exit(0);
		}
		if (!v) {
			fprintf(stderr, "bench_gen: %s needs a value\n", a);
			return -1;
		}
		if (strcmp(a, "--people") == 0)
			bad = parse_count(v, &o->people) || o->people == 0;
		else if (strcmp(a, "--events") == 0)
			bad = parse_count(v, &o->events);
		else if (strcmp(a, "--seed") == 0)
			bad = parse_u64(v, &o->seed);
		else if (strcmp(a, "--weeks") == 0)
			bad = parse_u64(v, &o->weeks) || o->weeks == 0 || o->weeks > 520;
		else if (strcmp(a, "--survey-share") == 0) {
			char *end;
			errno = 0;
			o->survey_share = strtod(v, &end);
			bad =
			    errno || end == v || *end || o->survey_share < 0 || o->survey_share > 1;
		} else if (strcmp(a, "--out") == 0)
			o->out = v;
		else
			bad = 1;
		if (bad) {
			fprintf(stderr, "bench_gen: bad option %s %s\n", a, v);
			return -1;
		}
		i++;
	}
	if (!o->out) {
		usage(stderr);
		return -1;
	}
	return 0;
}

static FILE *open_out(const char *dir, const char *name)
{
	char path[4096];
	int n = snprintf(path, sizeof path, "%s/%s", dir, name);
	if (n < 0 || (size_t)n >= sizeof path)
		return NULL;
	FILE *f = fopen(path, "w");
	if (!f) {
		fprintf(stderr, "bench_gen: cannot write %s: %s\n", path, strerror(errno));
		return NULL;
	}
	setvbuf(f, NULL, _IOFBF, 1 << 20);
	return f;
}

static int close_out(FILE *f, const char *name)
{
	if (ferror(f) | fclose(f)) {
		fprintf(stderr, "bench_gen: error writing %s\n", name);
		return -1;
	}
	return 0;
}

/* One person's consent: 2 % opted out, a quarter not asked yet. */
static const char *consent_of(struct rng *r)
{
	uint64_t c = rng_below(r, 100);
	return c < 2 ? "no" : c < 27 ? "" : "yes";
}

static int write_roster(const struct opts *o, struct rng *r)
{
	FILE *f = open_out(o->out, "roster.csv");
	if (!f)
		return -1;
	fputs("employee_id,name,email,department,level,consent\n", f);
	for (uint64_t i = 1; i <= o->people; i++) {
		const char *fn = first_names[rng_below(r, N(first_names))];
		const char *ln = last_names[rng_below(r, N(last_names))];
		const char *dep = departments[rng_below(r, N(departments))];
		const char *lev = levels[rng_below(r, N(levels))];
		char mail_last[32];
		size_t k = 0;
		/* e-mail local part: the surname without spaces, lower case */
		for (const char *p = ln; *p && k + 1 < sizeof mail_last; p++)
			if (*p != ' ')
				mail_last[k++] = (char)(*p | 0x20);
		mail_last[k] = '\0';
		fprintf(f, "E%07" PRIu64 ",%s %s,%c%s.%s%" PRIu64 "@example.com,%s,%s,%s\n", i, fn,
		        ln, fn[0] | 0x20, fn + 1, mail_last, i, dep, lev, consent_of(r));
	}
	return close_out(f, "roster.csv");
}

/* Cumulative activity weights: 35 % inactive, the rest log-normal (sigma 1.8),
 * which leaves the top 2-3 % of people with about half of all events. */
static double *activity_cdf(const struct opts *o, struct rng *r)
{
	double *cdf = malloc(o->people * sizeof *cdf);
	double sum = 0;
	if (!cdf)
		return NULL;
	for (uint64_t i = 0; i < o->people; i++) {
		double w = rng_unit(r) < 0.35 ? 0.0 : exp(1.8 * rng_normal(r));
		sum += w;
		cdf[i] = sum;
	}
	for (uint64_t i = 0; i < o->people; i++)
		cdf[i] /= sum > 0 ? sum : 1;
	return cdf;
}

static uint64_t pick_person(const double *cdf, uint64_t n, double u)
{
	uint64_t lo = 0, hi = n - 1;
	while (lo < hi) {
		uint64_t mid = lo + (hi - lo) / 2;
		if (cdf[mid] <= u)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo + 1;
}

/* Days since 1970-01-01 to y-m-d (Howard Hinnant's civil_from_days). */
static void civil(int64_t z, int *y, unsigned *m, unsigned *d)
{
	z += 719468;
	int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	unsigned doe = (unsigned)(z - era * 146097);
	unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t yy = (int64_t)yoe + era * 400;
	unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	unsigned mp = (5 * doy + 2) / 153;
	*d = doy - (153 * mp + 2) / 5 + 1;
	*m = mp < 10 ? mp + 3 : mp - 9;
	*y = (int)(yy + (*m <= 2));
}

/* Fast "YYYY-MM-DDTHH:MM:SSZ": cache the date part of the current day
 * (date_cached holds 32 bytes). */
static size_t fmt_time(char *out, int64_t t, int64_t *day_cached, char *date_cached)
{
	int64_t day = t / 86400, sec = t % 86400;
	if (day != *day_cached) {
		int y;
		unsigned m, d;
		civil(day, &y, &m, &d);
		snprintf(date_cached, 32, "%04d-%02u-%02u", y, m, d);
		*day_cached = day;
	}
	memcpy(out, date_cached, 10);
	unsigned h = (unsigned)(sec / 3600), mi = (unsigned)(sec / 60 % 60),
	         s = (unsigned)(sec % 60);
	out[10] = 'T';
	out[11] = (char)('0' + h / 10);
	out[12] = (char)('0' + h % 10);
	out[13] = ':';
	out[14] = (char)('0' + mi / 10);
	out[15] = (char)('0' + mi % 10);
	out[16] = ':';
	out[17] = (char)('0' + s / 10);
	out[18] = (char)('0' + s % 10);
	out[19] = 'Z';
	return 20;
}

static size_t put_u64(char *out, uint64_t v)
{
	char tmp[24];
	size_t n = 0;
	do {
		tmp[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	for (size_t i = 0; i < n; i++)
		out[i] = tmp[n - 1 - i];
	return n;
}

static size_t put_str(char *out, const char *s)
{
	size_t n = strlen(s);
	memcpy(out, s, n);
	return n;
}

static size_t format_event(char *p, struct rng *r, uint64_t who, int64_t t, uint64_t seq,
                           int64_t *day, char *date)
{
	char *start = p;
	size_t pl = rng_below(r, N(platforms));
	const char *kind = kinds[rng_below(r, N(kinds))];
	uint64_t o = rng_below(r, 100);
	*p++ = 'E';
	char id[24];
	size_t n = put_u64(id, who);
	for (size_t z = n; z < 7; z++)
		*p++ = '0';
	memcpy(p, id, n);
	p += n;
	*p++ = ',';
	p += fmt_time(p, t, day, date);
	*p++ = ',';
	p += put_str(p, platforms[pl]);
	*p++ = ',';
	p += put_str(p, kind);
	*p++ = ',';
	p += put_str(p, o < 15 ? "suggested" : o < 55 ? "original" : "");
	*p++ = ',';
	if (rng_below(r, 10) < 8) {
		p += put_str(p, platform_prefix[pl]);
		*p++ = ':';
		p += put_u64(p, 100000000 + seq);
	}
	if (kind[0] == 'p' || kind[0] == 'a' || kind[0] == 'v') {
		uint64_t reach = 20 + rng_below(r, 5000);
		uint64_t v[5] = {reach, rng_below(r, reach / 10 + 1), rng_below(r, 20),
		                 rng_below(r, 10), rng_below(r, 50)};
		for (int i = 0; i < 5; i++) {
			*p++ = ',';
			p += put_u64(p, v[i]);
		}
	} else {
		p += put_str(p, ",,,,,");
	}
	*p++ = '\n';
	return (size_t)(p - start);
}

static int write_activity(const struct opts *o, struct rng *r)
{
	FILE *f = open_out(o->out, "activity.csv");
	double *cdf = activity_cdf(o, r);
	char line[256], date[32];
	int64_t day = -1;
	/* 2024-11-04 (a Monday) + weeks; the default 104 weeks end 2026-11-02. */
	const int64_t base = 1730678400;
	const double span = (double)o->weeks * 7 * 86400;
	const double step = span / (double)(o->events ? o->events : 1);
	if (!f || !cdf) {
		free(cdf);
		if (f)
			fclose(f);
		return -1;
	}
	fputs("employee_id,occurred_at,platform,kind,origin,post_id,reach,reactions,comments,"
	      "shares,clicks\n",
	      f);
	for (uint64_t i = 0; i < o->events; i++) {
		int64_t t = base + (int64_t)((double)i * step + rng_unit(r) * step);
		uint64_t who = pick_person(cdf, o->people, rng_unit(r));
		size_t n = format_event(line, r, who, t, i, &day, date);
		fwrite(line, 1, n, f);
	}
	free(cdf);
	return close_out(f, "activity.csv");
}

/* Survey items: text, construct, reverse-keyed. Each construct has one
 * reverse-keyed item, as real instruments do. */
static const struct {
	const char *column;
	const char *construct;
	int reverse;
} items[] = {
    {"I am proud to tell others where I work", "attitude", 0},
    {"I would recommend us as a place to work", "attitude", 0},
    {"I feel part of this organisation", "attitude", 0},
    {"I would hesitate to recommend our products", "attitude", 1},
    {"I share things about my work because I enjoy it", "intrinsic", 0},
    {"I like to pass on what I know to others", "intrinsic", 0},
    {"Posting about work feels like a chore", "intrinsic", 1},
    {"I would post more if it helped my career", "extrinsic", 0},
    {"I would post about work if I were rewarded for it", "extrinsic", 0},
    {"Recognition does not matter to me when I post", "extrinsic", 1},
    {"I use LinkedIn at least weekly", "social_use", 0},
    {"I post on social media myself", "social_use", 0},
    {"I rarely look at social media", "social_use", 1},
};

static int write_codebook(const struct opts *o)
{
	FILE *f = open_out(o->out, "codebook.csv");
	if (!f)
		return -1;
	fputs("column,construct,min,max,reverse\nEmployee ID,id,,,\n"
	      "Submitted,submitted_at,,,\n",
	      f);
	for (size_t i = 0; i < N(items); i++)
		fprintf(f, "%s,%s,1,5,%s\n", items[i].column, items[i].construct,
		        items[i].reverse ? "yes" : "no");
	return close_out(f, "codebook.csv");
}

static int clamp5(double v)
{
	long x = lround(v);
	return x < 1 ? 1 : x > 5 ? 5 : (int)x;
}

/* Answers follow a latent per person and construct, so constructs are
 * internally consistent; 3 % of answers are left empty. */
static int write_survey(const struct opts *o, struct rng *r)
{
	FILE *f = open_out(o->out, "survey.csv");
	if (!f)
		return -1;
	fputs("Response ID,Employee ID,Submitted", f);
	for (size_t i = 0; i < N(items); i++)
		fprintf(f, ",%s", items[i].column);
	fputc('\n', f);
	uint64_t resp = 0;
	for (uint64_t p = 1; p <= o->people; p++) {
		if (rng_unit(r) >= o->survey_share)
			continue;
		double latent[4];
		for (int k = 0; k < 4; k++)
			latent[k] = 3.2 + 0.9 * rng_normal(r);
		fprintf(f,
		        "%" PRIu64 ",E%07" PRIu64 ",2026-09-%02" PRIu64 "T%02" PRIu64 ":%02" PRIu64
		        ":00Z",
		        ++resp, p, 1 + rng_below(r, 28), 7 + rng_below(r, 10), rng_below(r, 60));
		for (size_t i = 0; i < N(items); i++) {
			int k = items[i].construct[0] == 'a'   ? 0
			        : items[i].construct[0] == 'i' ? 1
			        : items[i].construct[0] == 'e' ? 2
			                                       : 3;
			int v = clamp5(latent[k] + 0.7 * rng_normal(r));
			if (items[i].reverse)
				v = 6 - v;
			if (rng_below(r, 100) < 3)
				fputc(',', f);
			else
				fprintf(f, ",%d", v);
		}
		fputc('\n', f);
	}
	return close_out(f, "survey.csv");
}

int main(int argc, char **argv)
{
	struct opts o;
	struct rng r;
	if (parse_args(&o, argc, argv))
		return 2;
	/* Separate streams, so --events does not change the roster or survey. */
	rng_seed(&r, o.seed);
	if (write_roster(&o, &r) || write_codebook(&o))
		return 1;
	rng_seed(&r, o.seed ^ 0x5u);
	if (write_survey(&o, &r))
		return 1;
	rng_seed(&r, o.seed ^ 0xA11u);
	if (write_activity(&o, &r))
		return 1;
	return 0;
}
