/* protocol.c - decode, validate and answer one JSON request (docs/design.md, Contract 5.2).
 *
 * The op table below is the protocol: name, handler, the roles allowed,
 * the fields accepted, a help line. A request is refused with bad_request
 * for anything outside its op's schema (deny by default); the role check
 * comes before any data is read. Replies are built as jansson trees and
 * owned by the proto_result; requests are parsed with jansson after a
 * linear depth scan, so no input can make the parser recurse deeply.
 */
#include "ipc/protocol.h"

#include <jansson.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "core/err.h"
#include "core/mem.h"
#include "core/timefmt.h"
#include "ipc/invite_book.h"
#include "scorer/explain.h"
#include "scorer/interval.h"
#include "scorer/select.h"

enum code {
	C_OK,
	C_BAD_REQUEST,
	C_UNKNOWN_OP,
	C_FORBIDDEN,
	C_NOT_FOUND,
	C_UNAVAILABLE,
	C_INTERNAL
};

static const char *const code_names[] = {"ok",        "bad_request", "unknown_op", "forbidden",
                                         "not_found", "unavailable", "internal"};

struct call {
	const struct proto_env *env;
	json_t *req;   /* borrowed */
	json_t *reply; /* the ok reply being built */
	int64_t people;
	char msg[256];
};

typedef enum code (*op_fn)(struct call *c);

struct op_def {
	const char *name;
	op_fn run;
	unsigned roles;
	const char *const *fields; /* NULL-terminated; `op` and `id` are always allowed */
	const char *help;
	/* The ok reply depends on nothing but the snapshot, the role and the
	 * request: no clock, no invitation book, no side effect. */
	bool pure;
};

static enum code fail(struct call *c, enum code code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Messages quote the request (a field name cut at 64 bytes, the JSON
 * parser's view of a bad token), which can leave a broken UTF-8 sequence
 * that no JSON encoder takes: replace every byte that is not part of a
 * well-formed sequence with '?'. */
static void utf8_scrub(char *s)
{
	unsigned char *p = (unsigned char *)s;

	while (*p) {
		size_t n = *p < 0x80         ? 1
		           : (*p >> 5) == 6  ? 2
		           : (*p >> 4) == 14 ? 3
		           : (*p >> 3) == 30 ? 4
		                             : 0;
		size_t i = 1;
		while (i < n && (p[i] & 0xc0) == 0x80)
			i++;
		if (n == 0 || i < n || (n == 2 && *p < 0xc2) ||
		    (n == 3 && *p == 0xe0 && p[1] < 0xa0) ||
		    (n == 3 && *p == 0xed && p[1] >= 0xa0) ||
		    (n == 4 && *p == 0xf0 && p[1] < 0x90) ||
		    (n == 4 && (*p > 0xf4 || (*p == 0xf4 && p[1] >= 0x90)))) {
			*p++ = '?';
			continue;
		}
		p += n;
	}
}

static enum code fail(struct call *c, enum code code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(c->msg, sizeof(c->msg), fmt, ap);
	va_end(ap);
	utf8_scrub(c->msg);
	return code;
}

/* --- field readers: each returns C_OK or C_BAD_REQUEST naming the field -- */

static enum code get_int(struct call *c, const char *field, int64_t min, int64_t cap, int64_t max,
                         int64_t dflt, int64_t *out)
{
	json_t *v = json_object_get(c->req, field);
	json_int_t n;

	*out = dflt;
	if (!v)
		return C_OK;
	if (!json_is_integer(v))
		return fail(c, C_BAD_REQUEST, "%s: must be an integer", field);
	n = json_integer_value(v);
	if (n < min || n > max)
		return fail(c, C_BAD_REQUEST, "%s: must be between %lld and %lld", field,
		            (long long)min, (long long)max);
	*out = n > cap ? cap : n;
	return C_OK;
}

static bool printable_utf8(const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if (*p < 0x20 || *p == 0x7f)
			return false;
	return true;
}

/* A string field of 1..max bytes without control characters; *out NULL
 * when absent (and not required). */
static enum code get_str(struct call *c, const char *field, size_t max, bool required,
                         const char **out)
{
	json_t *v = json_object_get(c->req, field);
	size_t len;

	*out = NULL;
	if (!v)
		return required ? fail(c, C_BAD_REQUEST, "%s: required", field) : C_OK;
	if (!json_is_string(v))
		return fail(c, C_BAD_REQUEST, "%s: must be a string", field);
	len = json_string_length(v);
	if (len == 0 || len > max)
		return fail(c, C_BAD_REQUEST, "%s: must be 1 to %zu bytes", field, max);
	if (!printable_utf8(json_string_value(v)))
		return fail(c, C_BAD_REQUEST, "%s: control characters are not allowed", field);
	*out = json_string_value(v);
	return C_OK;
}

/* --- reply pieces ------------------------------------------------------ */

static json_t *num(double v)
{
	/* jansson refuses NaN and infinities; a scorer bug must not turn
	 * into a missing field. */
	return isfinite(v) ? json_real(v) : json_null();
}

static json_t *iso_time(int64_t t)
{
	char buf[32];

	timefmt_iso(buf, sizeof(buf), t);
	return json_string(buf);
}

static json_t *snapshot_json(const served *sv)
{
	const struct service_snapshot *info;

	if (!sv)
		return json_null();
	info = served_info(sv);
	return json_pack("{s:I,s:o,s:o,s:s,s:I}", "id", (json_int_t)info->id, "computed_at",
	                 iso_time(info->computed_at), "as_of", iso_time(info->as_of), "profile",
	                 info->profile, "profile_version", (json_int_t)info->profile_version);
}

static json_t *components_json(const struct served_person *p)
{
	return json_pack("{s:o,s:o,s:o}", "activity", num(p->activity), "attitude",
	                 num(p->attitude), "motivation", num(p->motivation));
}

static json_t *pct_json(const double pct[3])
{
	return json_pack("{s:o,s:o,s:o}", "activity", num(pct[0]), "attitude", num(pct[1]),
	                 "motivation", num(pct[2]));
}

/* [lo, hi], or null when the snapshot was scored without intervals. */
static json_t *interval_json(const struct served_person *p)
{
	if (p->rank_lo <= 0 || p->rank_hi <= 0)
		return json_null();
	return json_pack("[I,I]", (json_int_t)p->rank_lo, (json_int_t)p->rank_hi);
}

static json_t *rank_item(const struct served_person *p)
{
	return json_pack("{s:s,s:s,s:s,s:s,s:I,s:o,s:o,s:o}", "employee_id", p->employee_id, "name",
	                 p->name, "department", p->department, "level", p->level, "rank",
	                 (json_int_t)p->rank, "rank_interval", interval_json(p), "score",
	                 num(p->score), "components", components_json(p));
}

static enum code need_snapshot(struct call *c)
{
	if (!c->env->snap)
		return fail(c, C_UNAVAILABLE, "no scores yet: run `ambassador score`");
	return C_OK;
}

/* --- ops ---------------------------------------------------------------- */

static enum code op_ping(struct call *c)
{
	json_object_set_new(c->reply, "version", json_string(AMB_VERSION));
	json_object_set_new(c->reply, "role", json_string(ipc_role_name(c->env->role)));
	if (c->env->audit_failing)
		json_object_set_new(
		    c->reply, "audit",
		    json_string("failing: the audit log cannot be written; only ping "
		                "is answered until it can (see the server log)"));
	if (c->env->clients_stale)
		json_object_set_new(c->reply, "clients_file",
		                    json_string("stale: the last reload (SIGHUP) failed and the "
		                                "previous list is in force; see the server log"));
	if (c->env->snap) {
		bool stale = served_info(c->env->snap)->stale;
		json_object_set_new(c->reply, "stale", json_boolean(stale));
		if (stale)
			json_object_set_new(
			    c->reply, "notice",
			    json_string("data newer than the published snapshot: run score"));
	}
	return C_OK;
}

static enum code op_rank(struct call *c)
{
	const char *dept, *level;
	int64_t limit, offset, skipped = 0;
	enum code rc;
	json_t *items;
	const served *sv = c->env->snap;

	if ((rc =
	         get_int(c, "limit", 1, PROTO_LIMIT_MAX, INT64_MAX, PROTO_LIMIT_DEFAULT, &limit)) ||
	    (rc = get_int(c, "offset", 0, 10000000, 10000000, 0, &offset)) ||
	    (rc = get_str(c, "department", 256, false, &dept)) ||
	    (rc = get_str(c, "level", 64, false, &level)) || (rc = need_snapshot(c)))
		return rc;
	items = json_array();
	for (size_t i = 0; i < served_count(sv) && (int64_t)json_array_size(items) < limit; i++) {
		const struct served_person *p = served_at(sv, i);
		if (!p->eligible || !p->rank)
			break; /* ranked people come first */
		if ((dept && strcasecmp(dept, p->department) != 0) ||
		    (level && strcasecmp(level, p->level) != 0))
			continue;
		if (skipped++ < offset)
			continue;
		json_array_append_new(items, rank_item(p));
	}
	c->people = (int64_t)json_array_size(items);
	json_object_set_new(c->reply, "items", items);
	return C_OK;
}

static void how_phrase(struct buf *b, enum select_how how, const struct served_person *p)
{
	const char *level = *p->level ? p->level : "level not given";

	switch (how) {
	case SELECT_DEPARTMENT_BEST: buf_printf(b, "Best in %s", p->department); break;
	case SELECT_DEPARTMENT_LEVEL:
		buf_printf(b, "Seat for %s, close to its best, spreading levels (%s)",
		           p->department, level);
		break;
	case SELECT_BY_SCORE: buf_puts(b, "Among the next best scores"); break;
	case SELECT_BY_SCORE_LEVEL:
		buf_printf(b, "Close to the next best score, spreading levels (%s)", level);
		break;
	}
}

static json_t *candidate_item(const struct served_person *p, enum select_how how,
                              const struct served_person *left_out)
{
	struct scorer_detail d;
	struct buf reason = {0};
	json_t *item = rank_item(p);

	/* A close call: the pick's interval overlaps that of the best person
	 * left out, so the data cannot tell the two apart. */
	json_object_set_new(item, "close_call",
	                    json_boolean(left_out && scorer_intervals_overlap(
	                                                 p->rank_lo, p->rank_hi, left_out->rank_lo,
	                                                 left_out->rank_hi)));

	how_phrase(&reason, how, p);
	if (scorer_detail_decode(&d, p->detail) == 0)
		explain_facts(&reason, &d, p->attitude, p->motivation, p->pct[1], p->pct[2]);
	json_object_set_new(item, "reason", json_string(reason.data ? reason.data : ""));
	buf_free(&reason);
	return item;
}

/* The pilot group (docs/design.md, Contract 4) by the scorer's selection, over the ranked
 * people of the served snapshot, with the snapshot's own weights. */
static enum code select_candidates(struct call *c, size_t size, double max_share, const char *dept)
{
	const served *sv = c->env->snap;
	const struct scorer_params *prm = served_params(sv);
	struct select_opts so = {
	    .size = size,
	    .max_share = max_share > 0 ? max_share : prm->max_share,
	    .min_score = prm->min_score,
	    .level_tie = prm->level_tie,
	};
	struct select_person *people = xcalloc(served_count(sv) + 1, sizeof(*people));
	size_t *row_of = xcalloc(served_count(sv) + 1, sizeof(*row_of));
	struct select_pick *picks = xcalloc(size, sizeof(*picks));
	size_t n = 0, npicks = 0;
	enum code rc = C_OK;

	for (size_t i = 0; i < served_count(sv); i++) {
		const struct served_person *p = served_at(sv, i);
		if (!p->eligible || !p->rank)
			break;
		if (dept && strcasecmp(dept, p->department) != 0)
			continue;
		people[n] = (struct select_person){p->department, p->level, p->score};
		row_of[n++] = i;
	}
	if (scorer_select(picks, &npicks, people, n, &so) != 0) {
		rc = fail(c, C_BAD_REQUEST, "candidates: %.200s", err_msg());
	} else {
		json_t *items = json_array();
		size_t out = scorer_select_left_out(picks, npicks, n);
		const struct served_person *left_out = out < n ? served_at(sv, row_of[out]) : NULL;
		for (size_t k = 0; k < npicks; k++)
			json_array_append_new(items,
			                      candidate_item(served_at(sv, row_of[picks[k].index]),
			                                     picks[k].how, left_out));
		c->people = (int64_t)npicks;
		json_object_set_new(c->reply, "items", items);
		json_object_set_new(c->reply, "department_cap",
		                    json_integer((json_int_t)scorer_select_cap(&so)));
	}
	free(people);
	free(row_of);
	free(picks);
	return rc;
}

static enum code op_candidates(struct call *c)
{
	const char *dept;
	int64_t size;
	enum code rc;
	json_t *share = json_object_get(c->req, "max_share");

	if ((rc = get_int(c, "size", 1, PROTO_LIMIT_MAX, INT64_MAX, 10, &size)) ||
	    (rc = get_str(c, "department", 256, false, &dept)))
		return rc;
	if (share && (!json_is_number(share) || !(json_number_value(share) > 0.0) ||
	              json_number_value(share) > 1.0))
		return fail(c, C_BAD_REQUEST, "max_share: must be a number above 0 and at most 1");
	if ((rc = need_snapshot(c)))
		return rc;
	return select_candidates(c, (size_t)size, share ? json_number_value(share) : 0, dept);
}

/* The scorer's plain-language reasons, one sentence per array item. */
static json_t *reasons_json(const struct served_person *p)
{
	struct scorer_detail d;
	struct buf b = {0};
	json_t *arr = json_array();

	if (scorer_detail_decode(&d, p->detail) != 0)
		return arr;
	explain_reasons(&b, &d, p->activity, p->attitude, p->motivation, p->pct[1], p->pct[2]);
	for (char *line = b.data; line && *line;) {
		char *nl = strchr(line, '\n');
		size_t len = nl ? (size_t)(nl - line) : strlen(line);
		const char *text = line;
		if (len >= 4 && strncmp(text, "  - ", 4) == 0) {
			text += 4;
			len -= 4;
		}
		if (len)
			json_array_append_new(arr, json_stringn(text, len));
		line = nl ? nl + 1 : NULL;
	}
	buf_free(&b);
	return arr;
}

static enum code op_explain(struct call *c)
{
	const char *eid;
	const struct served_person *p;
	json_error_t jerr;
	json_t *detail;
	enum code rc;

	if ((rc = get_str(c, "employee_id", 64, true, &eid)) || (rc = need_snapshot(c)))
		return rc;
	p = served_find(c->env->snap, eid);
	if (!p || !p->listable)
		return fail(c, C_NOT_FOUND, "employee_id: not in the scores served");
	detail = json_loads(p->detail, JSON_REJECT_DUPLICATES, &jerr);
	if (!detail)
		detail = json_object();
	json_object_set_new(c->reply, "employee_id", json_string(p->employee_id));
	json_object_set_new(c->reply, "name", json_string(p->name));
	json_object_set_new(c->reply, "department", json_string(p->department));
	json_object_set_new(c->reply, "level", json_string(p->level));
	json_object_set_new(c->reply, "eligible", json_boolean(p->eligible));
	json_object_set_new(c->reply, "rank", p->rank ? json_integer(p->rank) : json_null());
	json_object_set_new(c->reply, "rank_interval", interval_json(p));
	json_object_set_new(c->reply, "score", num(p->score));
	json_object_set_new(c->reply, "components", components_json(p));
	json_object_set_new(c->reply, "percentiles",
	                    json_pack("{s:o,s:o}", "company", pct_json(p->pct), "department",
	                              pct_json(p->dept_pct)));
	json_object_set_new(c->reply, "detail", detail);
	json_object_set_new(c->reply, "reasons", reasons_json(p));
	json_object_set_new(c->reply, "weights",
	                    json_loads(served_params_json(c->env->snap), 0, NULL));
	/* Transparency (GDPR Art. 13-15, 22): the weights used are named, and
	 * the figures support a person's decision, they do not make it. */
	json_object_set_new(c->reply, "decision_support", json_true());
	c->people = 1;
	return C_OK;
}

struct inv_ctx {
	json_t *items;
};

static int add_invitee(void *ctx, const struct served_invitee *p)
{
	struct inv_ctx *ic = ctx;

	json_array_append_new(ic->items,
	                      json_pack("{s:s,s:s,s:s,s:s}", "employee_id", p->employee_id, "name",
	                                p->name, "email", p->email, "department", p->department));
	return 0;
}

static enum code op_invitations(struct call *c)
{
	const char *dept;
	int64_t limit;
	enum code rc;
	struct inv_ctx ic;

	const struct served_pilot *pilot;

	if ((rc = get_int(c, "limit", 1, PROTO_LIMIT_MAX, PROTO_LIMIT_MAX, PROTO_LIMIT_DEFAULT,
	                  &limit)) ||
	    (rc = get_str(c, "department", 256, false, &dept)) || (rc = need_snapshot(c)))
		return rc;
	/* Only the people of a pilot that a person approved, never a ranking
	 * (GDPR Art. 22: a human decides whom to invite). */
	ic.items = json_array();
	served_invitations(c->env->snap, c->env->invites, dept, (size_t)limit, add_invitee, &ic);
	c->people = (int64_t)json_array_size(ic.items);
	json_object_set_new(c->reply, "items", ic.items);
	pilot = served_pilot_of(c->env->snap);
	json_object_set_new(c->reply, "pilot",
	                    pilot ? json_pack("{s:s,s:o}", "name", pilot->name, "approved_at",
	                                      iso_time(pilot->approved_at))
	                          : json_null());
	return C_OK;
}

static enum code op_invitation_status(struct call *c)
{
	const char *eid, *status, *reason;
	int64_t pid = 0;
	enum code rc;
	bool reset;
	int err;

	if ((rc = get_str(c, "employee_id", 64, true, &eid)) ||
	    (rc = get_str(c, "status", 16, true, &status)) ||
	    (rc = get_str(c, "reason", 500, false, &reason)))
		return rc;
	reset = status && strcmp(status, "none") == 0; /* status is set: it is required */
	if (!reset && invite_status_parse(status) == INVITE_NONE)
		return fail(c, C_BAD_REQUEST,
		            "status: must be invited, accepted, declined, withdrawn or none");
	/* Setting a status back is HR's correction of a mistake, with a reason. */
	if (reset && c->env->role != ROLE_HR)
		return fail(c, C_FORBIDDEN,
		            "status: only the hr role may set a status back to none");
	if (reset && !reason)
		return fail(c, C_BAD_REQUEST, "reason: required to set a status back to none");
	if (c->env->writes_full)
		return fail(c, C_UNAVAILABLE,
		            "invitation_status: too many status changes are waiting; retry in a "
		            "second");
	if (!c->env->set_status)
		return fail(c, C_UNAVAILABLE, "invitation_status: the store is not available");
	err = c->env->set_status(c->env->set_ctx, eid, status, reason, c->env->client, c->env->now,
	                         &pid);
	if (err == ERR_NOT_FOUND)
		return fail(c, C_NOT_FOUND, "employee_id: no such person");
	if (err == ERR_FORBIDDEN || err == ERR_INVALID)
		return fail(c, err == ERR_FORBIDDEN ? C_FORBIDDEN : C_BAD_REQUEST, "%s", err_msg());
	if (err == ERR_BUSY)
		return fail(c, C_UNAVAILABLE,
		            "invitation_status: the database is busy (an import or scoring run "
		            "holds it); nothing was recorded, retry in a few seconds");
	if (err == ERR_READONLY || err == ERR_FULL)
		return fail(c, C_UNAVAILABLE, "invitation_status: the store cannot take it now");
	if (err)
		return fail(c, C_INTERNAL, "invitation_status: could not record it");
	if (c->env->invites)
		invite_book_set(c->env->invites, pid,
		                reset ? INVITE_NONE : invite_status_parse(status), c->env->now);
	json_object_set_new(c->reply, "employee_id", json_string(eid));
	json_object_set_new(c->reply, "status", json_string(status));
	return C_OK;
}

static const char *const f_none[] = {NULL};
static const char *const f_rank[] = {"limit", "offset", "department", "level", NULL};
static const char *const f_cand[] = {"size", "department", "max_share", NULL};
static const char *const f_explain[] = {"employee_id", NULL};
static const char *const f_inv[] = {"limit", "department", NULL};
static const char *const f_status[] = {"employee_id", "status", "reason", NULL};

static const struct op_def ops[] = {
    {"ping", op_ping, ROLE_HR | ROLE_INTRANET, f_none, "version and the snapshot served (id, time)",
     true},
    {"rank", op_rank, ROLE_HR, f_rank,
     "eligible people, best first: limit (default 20, max 1000), offset, department, level", true},
    {"candidates", op_candidates, ROLE_HR, f_cand,
     "a pilot group spread across departments: size, department, max_share", true},
    {"explain", op_explain, ROLE_HR, f_explain,
     "one person's components, sub-features, percentiles and reasons: employee_id", true},
    {"invitations", op_invitations, ROLE_HR | ROLE_INTRANET, f_inv,
     "the approved pilot's people still to invite (employee_id, name, email, department) and "
     "the pilot: limit (1-1000), department",
     false},
    {"invitation_status", op_invitation_status, ROLE_HR | ROLE_INTRANET, f_status,
     "record invited, accepted, declined or withdrawn (none with a reason: hr only): "
     "employee_id, status, reason",
     false},
};

/* --- decoding ------------------------------------------------------------- */

int proto_depth_ok(const char *text, size_t len, int max_depth)
{
	int depth = 0;
	bool in_str = false, esc = false;

	for (size_t i = 0; i < len; i++) {
		char ch = text[i];
		if (in_str) {
			if (esc)
				esc = false;
			else if (ch == '\\')
				esc = true;
			else if (ch == '"')
				in_str = false;
			continue;
		}
		if (ch == '"')
			in_str = true;
		else if ((ch == '[' || ch == '{') && ++depth > max_depth)
			return -1;
		else if ((ch == ']' || ch == '}') && depth > 0)
			depth--;
	}
	return 0;
}

static const struct op_def *find_op(const char *name)
{
	for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++)
		if (strcmp(ops[i].name, name) == 0)
			return &ops[i];
	return NULL;
}

static enum code check_fields(struct call *c, const struct op_def *op)
{
	const char *key;
	json_t *v;

	json_object_foreach(c->req, key, v)
	{
		bool known = strcmp(key, "op") == 0 || strcmp(key, "id") == 0;
		for (const char *const *f = op->fields; !known && *f; f++)
			known = strcmp(key, *f) == 0;
		if (!known)
			return fail(c, C_BAD_REQUEST, "unknown field for %s: %.64s", op->name, key);
	}
	return C_OK;
}

/* The `id` a client may attach to match replies: a string of at most 128
 * bytes or an integer; echoed back as given. */
static json_t *request_id(json_t *req, bool *bad)
{
	json_t *id = json_object_get(req, "id");

	*bad = false;
	if (!id)
		return NULL;
	if (json_is_integer(id) || (json_is_string(id) && json_string_length(id) <= 128))
		return id;
	*bad = true;
	return NULL;
}

static enum code decode(struct call *c, const void *body, size_t len, json_t **out_req)
{
	json_error_t jerr;
	json_t *req;

	*out_req = NULL;
	if (len > PROTO_MAX_REQUEST)
		return fail(c, C_BAD_REQUEST, "request larger than %d bytes", PROTO_MAX_REQUEST);
	if (len == 0)
		return fail(c, C_BAD_REQUEST, "empty request");
	if (proto_depth_ok(body, len, PROTO_MAX_DEPTH) != 0)
		return fail(c, C_BAD_REQUEST, "request nests deeper than %d levels",
		            PROTO_MAX_DEPTH);
	/* jansson checks UTF-8, refuses \u0000 unless asked, and with this
	 * flag refuses duplicate keys (which could smuggle a second value
	 * past a validator). */
	req = json_loadb(body, len, JSON_REJECT_DUPLICATES, &jerr);
	if (!req)
		return fail(c, C_BAD_REQUEST, "not valid JSON: %.160s (at byte %d)", jerr.text,
		            jerr.position);
	*out_req = req;
	if (!json_is_object(req))
		return fail(c, C_BAD_REQUEST, "a request is a JSON object");
	return C_OK;
}

static void finish(struct call *c, enum code code, json_t *id, struct proto_result *out)
{
	json_t *reply;

	if (code == C_OK) {
		reply = c->reply;
		c->reply = NULL;
	} else {
		reply = json_pack("{s:b,s:{s:s,s:s}}", "ok", 0, "error", "code", code_names[code],
		                  "message", c->msg);
		c->people = 0;
	}
	if (id)
		json_object_set(reply, "id", id);
	out->reply = json_dumps(reply, JSON_COMPACT | JSON_REAL_PRECISION(12));
	json_decref(reply);
	if (!out->reply) { /* only when out of memory */
		out->reply = xstrdup("{\"ok\":false,\"error\":{\"code\":\"internal\",\"message\":"
		                     "\"cannot encode the reply\"}}");
		code = C_INTERNAL;
		c->people = 0;
	}
	out->len = strlen(out->reply);
	out->status = code_names[code];
	out->people = c->people;
}

void proto_handle(const struct proto_env *env, const void *body, size_t len,
                  struct proto_result *out)
{
	struct call c = {.env = env};
	const struct op_def *op = NULL;
	json_t *req = NULL, *id = NULL, *opv;
	enum code code;
	bool bad_id;

	memset(out, 0, sizeof(*out));
	snprintf(out->op, sizeof(out->op), "-");
	if ((code = decode(&c, body, len, &req)))
		goto done;
	c.req = req;
	id = request_id(req, &bad_id);
	opv = json_object_get(req, "op");
	if (bad_id) {
		code = fail(&c, C_BAD_REQUEST, "id: must be an integer or a string of 128 bytes");
	} else if (!opv) {
		code = fail(&c, C_BAD_REQUEST, "op: required");
	} else if (!json_is_string(opv)) {
		code = fail(&c, C_BAD_REQUEST, "op: must be a string");
	} else if (!(op = find_op(json_string_value(opv)))) {
		code = fail(&c, C_UNKNOWN_OP, "unknown op '%.64s'", json_string_value(opv));
	} else if (!(op->roles & env->role)) {
		snprintf(out->op, sizeof(out->op), "%s", op->name);
		code = fail(&c, C_FORBIDDEN, "%s: not allowed for role %s", op->name,
		            ipc_role_name(env->role));
	} else if (env->audit_failing && strcmp(op->name, "ping") != 0) {
		snprintf(out->op, sizeof(out->op), "%s", op->name);
		code = fail(&c, C_UNAVAILABLE,
		            "%s: the audit log cannot be written, and nothing is answered that it "
		            "cannot record; retry later",
		            op->name);
	} else {
		snprintf(out->op, sizeof(out->op), "%s", op->name);
		c.reply = json_object();
		json_object_set_new(c.reply, "ok", json_true());
		json_object_set_new(c.reply, "snapshot", snapshot_json(env->snap));
		if (!(code = check_fields(&c, op)))
			code = op->run(&c);
	}
done:
	finish(&c, code, id, out);
	json_decref(c.reply);
	json_decref(req);
	/* Defence in depth: whatever a handler did, an intranet client never
	 * receives a field it may not see. */
	if (env->role == ROLE_INTRANET && proto_intranet_check(out->reply, out->len) != 0) {
		free(out->reply);
		out->reply = proto_error_reply("internal", "reply withheld", &out->len);
		out->status = code_names[C_INTERNAL];
		out->people = 0;
	}
}

bool proto_is_write(const void *body, size_t len)
{
	json_t *req, *op;
	bool w;

	/* Most requests are reads: only those holding the op's name are parsed. */
	if (!memmem(body, len, "invitation_status", 17) || len > PROTO_MAX_REQUEST ||
	    proto_depth_ok(body, len, PROTO_MAX_DEPTH) != 0)
		return false;
	req = json_loadb(body, len, JSON_REJECT_DUPLICATES, NULL);
	op = json_is_object(req) ? json_object_get(req, "op") : NULL;
	w = json_is_string(op) && strcmp(json_string_value(op), "invitation_status") == 0;
	json_decref(req);
	return w;
}

int proto_cache_key(const void *body, size_t len, char **canon, char **id_text)
{
	json_t *req, *id;
	bool bad;
	int rc = -1;

	*canon = *id_text = NULL;
	/* The same checks as decode(): what fails them is not cached. */
	if (len == 0 || len > PROTO_MAX_REQUEST || proto_depth_ok(body, len, PROTO_MAX_DEPTH) != 0)
		return -1;
	req = json_loadb(body, len, JSON_REJECT_DUPLICATES, NULL);
	if (!req || !json_is_object(req))
		goto out;
	id = request_id(req, &bad);
	if (bad)
		goto out;
	if (!id) {
		rc = 0;
		goto out;
	}
	*id_text = json_dumps(id, JSON_ENCODE_ANY | JSON_COMPACT);
	json_object_del(req, "id");
	*canon = json_dumps(req, JSON_COMPACT | JSON_SORT_KEYS | JSON_REAL_PRECISION(17));
	if (!*id_text || !*canon) {
		free(*id_text);
		free(*canon);
		*canon = *id_text = NULL;
		goto out;
	}
	rc = 1;
out:
	json_decref(req);
	return rc;
}

char *proto_reply_without_id(const char *reply, size_t len, const char *id_text, size_t *out_len)
{
	size_t idl = strlen(id_text), tail = 6 + idl + 1; /* ,"id": ID } */
	char *out;

	if (len < tail + 2 || reply[len - 1] != '}' ||
	    memcmp(reply + len - tail, ",\"id\":", 6) != 0 ||
	    memcmp(reply + len - 1 - idl, id_text, idl) != 0)
		return NULL;
	out = xmalloc(len - tail + 2);
	memcpy(out, reply, len - tail);
	out[len - tail] = '}';
	out[len - tail + 1] = '\0';
	*out_len = len - tail + 1;
	return out;
}

char *proto_reply_with_id(const char *reply, size_t len, const char *id_text, size_t *out_len)
{
	size_t idl = strlen(id_text);
	char *out;

	if (len < 2 || reply[len - 1] != '}')
		return NULL;
	out = xmalloc(len + 6 + idl + 1);
	memcpy(out, reply, len - 1);
	memcpy(out + len - 1, ",\"id\":", 6);
	memcpy(out + len + 5, id_text, idl);
	out[len + 5 + idl] = '}';
	out[len + 6 + idl] = '\0';
	*out_len = len + 6 + idl;
	return out;
}

bool proto_op_cacheable(const char *op)
{
	const struct op_def *d = op ? find_op(op) : NULL;

	return d && d->pure;
}

void proto_result_free(struct proto_result *r)
{
	if (!r)
		return;
	free(r->reply);
	r->reply = NULL;
	r->len = 0;
}

char *proto_error_reply_retry(const char *code, const char *message, int64_t retry_ms,
                              size_t *out_len)
{
	json_t *j =
	    json_pack("{s:b,s:{s:s,s:s}}", "ok", 0, "error", "code", code, "message", message);
	char *text;

	if (j && retry_ms > 0)
		json_object_set_new(json_object_get(j, "error"), "retry_after_ms",
		                    json_integer((json_int_t)retry_ms));
	text = json_dumps(j, JSON_COMPACT);
	json_decref(j);
	if (!text)
		text = xstrdup("{\"ok\":false,\"error\":{\"code\":\"internal\",\"message\":\"\"}}");
	*out_len = strlen(text);
	return text;
}

char *proto_error_reply(const char *code, const char *message, size_t *out_len)
{
	return proto_error_reply_retry(code, message, 0, out_len);
}

/* --- the intranet oracle ------------------------------------------------ */

static bool forbidden_key(const char *k)
{
	static const char *const keys[] = {
	    "score",         "rank",        "components",   "reason",     "reasons",
	    "answers",       "activity",    "attitude",     "motivation", "detail",
	    "level",         "percentiles", "sub_features", "percentile", "eligible",
	    "rank_interval", "close_call",
	};

	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if (strcmp(k, keys[i]) == 0)
			return true;
	return false;
}

static int check_tree(json_t *v, int depth)
{
	const char *key;
	json_t *child;
	size_t i;

	if (depth > PROTO_MAX_DEPTH + 4)
		return -1;
	if (json_is_object(v)) {
		json_object_foreach(v, key, child)
		{
			if (forbidden_key(key) || check_tree(child, depth + 1))
				return -1;
		}
	} else if (json_is_array(v)) {
		json_array_foreach(v, i, child)
		{
			if (check_tree(child, depth + 1))
				return -1;
		}
	}
	return 0;
}

static int check_items(json_t *items)
{
	static const char *const allowed[] = {"employee_id", "name", "email", "department"};
	json_t *item;
	size_t i;

	if (!items)
		return 0;
	if (!json_is_array(items))
		return -1;
	json_array_foreach(items, i, item)
	{
		if (!json_is_object(item) || json_object_size(item) != 4)
			return -1;
		for (size_t k = 0; k < 4; k++)
			if (!json_is_string(json_object_get(item, allowed[k])))
				return -1;
	}
	return 0;
}

int proto_intranet_check(const char *json, size_t len)
{
	json_t *root = json_loadb(json, len, 0, NULL);
	int rc;

	if (!root)
		return -1;
	rc = check_tree(root, 0);
	if (rc == 0)
		rc = check_items(json_object_get(root, "items"));
	json_decref(root);
	return rc;
}

void proto_describe_ops(void (*fn)(void *ctx, const char *line), void *ctx)
{
	for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
		char line[256];
		snprintf(line, sizeof(line), "%-18s %-13s %s", ops[i].name,
		         ops[i].roles == ROLE_HR ? "hr" : "hr, intranet", ops[i].help);
		fn(ctx, line);
	}
}

int proto_reply_ok(const char *json, size_t len)
{
	json_t *root = json_loadb(json, len, 0, NULL);
	int ok = json_is_object(root) && json_is_true(json_object_get(root, "ok"));

	json_decref(root);
	return ok;
}
