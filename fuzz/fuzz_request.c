/* fuzz_request.c - libFuzzer target I3 (fuzzing, docs/testing.md, section 'Faults, fuzzing and
 * analysers'): bytes -> one JSON request -> proto_handle over a fixed small
 * snapshot held in memory.
 *
 * The first byte is the header (bit 0: the caller is intranet, else hr;
 * bit 1: no scores yet, so no snapshot and no invitation book; bit 2: no
 * store to record an invitation status in); the rest is the request body.
 * The snapshot (ten people over three departments: ranked, not eligible,
 * opted out, departed, names with quotes and non-ASCII letters) is built
 * once; the invitation book is rebuilt for every input (invited, accepted,
 * declined within the cool-down, withdrawn long ago), so a recorded status
 * never leaks into the next input. Checks, besides what ASan/UBSan see:
 *  - every reply is a JSON object with a boolean "ok" that agrees with the
 *    result's status and proto_reply_ok; an error has a code of docs/design.md, Contract 5.2
 *    and a message, and lists nobody;
 *  - intranet: proto_intranet_check passes and the last-line filter never
 *    had to withhold a reply; the HR-only ops are forbidden;
 *  - a valid `id` is echoed back unchanged;
 *  - `people` is the number of items; rank items come by rank; invitations
 *    list only ranked, listable people who are not invited, accepted or
 *    declined within the cool-down;
 *  - the status callback is only called with a valid status, a printable
 *    id of at most 64 bytes, the caller's name and the request time.
 * The replay of tests/regress/fuzz_request/ (tests/core/test_regress.c)
 * includes this file with AMB_FUZZ_NO_MAIN defined. */
#include <jansson.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "core/log.h"
#include "ipc/invite_book.h"
#include "ipc/protocol.h"
#include "ipc/served.h"
#include "scorer/profile.h"

int fuzz_request_one(const uint8_t *data, size_t size);

#define FRQ_NOW    1719792000LL /* 2024-07-01T00:00:00Z */
#define FRQ_DAY    86400LL
#define FRQ_PEOPLE 10
#define FRQ_CLIENT "fuzz client"

static served *frq_snap;

/* What the status callback saw. */
static struct {
	int calls;
} frq_rec;

static void frq_check(bool ok, const char *what, const char *reply)
{
	if (!ok) {
		fprintf(stderr, "fuzz_request: property failed: %s\n  reply: %.2000s\n", what,
		        reply ? reply : "(none)");
		abort();
	}
}

/* A detail text as the scorer writes it (scorer/detail.h). */
static const char frq_detail[] =
    "{\"eligible\":true,\"why_not\":null,\"flags\":0,\"consent\":\"yes\","
    "\"activity\":{\"steadiness\":0.8,\"volume\":0.7,\"response\":0.6,\"conversation\":0.5,"
    "\"authenticity\":1},\"facts\":{\"weeks_active\":20,\"own\":18.5,\"conversation\":6,"
    "\"amplification\":2,\"own_posts\":18.5,\"engagement_per_post\":7.2,\"window_weeks\":26,"
    "\"weighted_volume\":21.7,\"own_share\":0.99,\"engagement_per_post_shrunk\":6.9,"
    "\"company_engagement_per_post\":5.1},\"platforms\":[{\"platform\":\"linkedin\","
    "\"weeks_active\":18,\"own\":15,\"conversation\":4,\"amplification\":1,\"own_posts\":15,"
    "\"engagement_per_post\":8},{\"platform\":\"intranet\",\"weeks_active\":4,\"own\":3.5,"
    "\"conversation\":2,\"amplification\":1,\"own_posts\":3.5,\"engagement_per_post\":3.8}],"
    "\"survey\":{\"attitude\":0.83,\"intrinsic\":0.75,\"extrinsic\":0.4,\"careless\":null}}";

static const char frq_detail_not[] =
    "{\"eligible\":false,\"why_not\":\"needs a trusted survey answer (the answer given looks "
    "careless)\",\"flags\":2,\"consent\":\"not_asked\",\"activity\":{\"steadiness\":0.1,"
    "\"volume\":0,\"response\":0,\"conversation\":0,\"authenticity\":0},\"facts\":{"
    "\"weeks_active\":1,\"own\":0,\"conversation\":0,\"amplification\":3,\"own_posts\":0,"
    "\"engagement_per_post\":0,\"window_weeks\":26,\"weighted_volume\":0.3,\"own_share\":0,"
    "\"engagement_per_post_shrunk\":0,\"company_engagement_per_post\":5.1},\"platforms\":[],"
    "\"survey\":{\"attitude\":null,\"intrinsic\":0.2,\"extrinsic\":null,\"careless\":"
    "\"straightlining\"}}";

/* Ten people: E1..E7 ranked, E8 not eligible, E9 opted out, E10 departed. */
static void frq_init(void)
{
	static const char *const names[FRQ_PEOPLE] = {"Ada Lovelace",
	                                              "Zo\xc3\xab \"Q\" O'Neil",
	                                              "\xe6\x9d\x8e\xe9\x9b\xb7",
	                                              "Grace Hopper",
	                                              "Back\\slash",
	                                              "Ren\xc3\xa9\x65 Tab\t",
	                                              "Seven",
	                                              "Careless Carl",
	                                              "Opted Out",
	                                              "Gone Away"};
	static const char *const depts[FRQ_PEOPLE] = {"Sales", "IT",    "Sales", "Legal", "IT",
	                                              "Sales", "Legal", "IT",    "Sales", "IT"};
	struct service_snapshot info = {.id = 3,
	                                .computed_at = FRQ_NOW,
	                                .as_of = FRQ_NOW,
	                                .profile_version = 2,
	                                .people = FRQ_PEOPLE,
	                                .eligible = 7};
	struct scorer_params prm;
	char *params;

	if (frq_snap)
		return;
	log_set_level(LOG_ERROR);
	snprintf(info.profile, sizeof(info.profile), "default");
	frq_snap = served_new(&info);
	for (int i = 1; i <= FRQ_PEOPLE; i++) {
		char eid[16], email[48];
		snprintf(eid, sizeof(eid), "E%d", i);
		snprintf(email, sizeof(email), "person%d@example.test", i);
		struct service_row r = {
		    .pid = 100 + i,
		    .employee_id = eid,
		    .name = names[i - 1],
		    .email = i == 6 ? NULL : email,
		    .department = depts[i - 1],
		    .level = i % 3 ? "employee" : (i == 6 ? NULL : "manager"),
		    .opted_out = i == 9,
		    .departed = i == 10,
		    .eligible = i <= 7 || i >= 9,
		    .rank = i <= 7 ? i : 0,
		    .score = i <= 7 ? 92.5 - 4.25 * i : 0,
		    .activity = i == 8 ? 0 : 0.9 - i / 20.0,
		    .attitude = i == 8 ? NAN : 0.85 - i / 50.0,
		    .motivation = i == 4 || i == 8 ? NAN : 0.7,
		    .detail = i == 8 ? frq_detail_not : (i == 5 ? "{not json" : frq_detail),
		};
		served_add(frq_snap, &r);
	}
	/* The approved pilot the intranet invites: E9 opted out since. */
	static const int pilot[] = {7, 2, 9, 1, 3, 4, 5};
	struct pilot_info pi = {.id = 1, .name = "spring", .approved_at = FRQ_NOW - FRQ_DAY};
	served_set_pilot(frq_snap, &pi);
	for (size_t k = 0; k < sizeof(pilot) / sizeof(pilot[0]); k++) {
		char eid[16];
		int i = pilot[k];
		snprintf(eid, sizeof(eid), "E%d", i);
		struct pilot_member m = {.pid = 100 + i,
		                         .position = (int64_t)k + 1,
		                         .employee_id = eid,
		                         .name = names[i - 1],
		                         .email = "",
		                         .department = depts[i - 1],
		                         .level = "",
		                         .consent = i == 9 ? "no" : "yes",
		                         .reason = "",
		                         .invitation = "none"};
		served_pilot_add(frq_snap, &m);
	}
	served_seal(frq_snap);
	scorer_params_defaults(&prm);
	params = scorer_params_to_json(&prm);
	served_set_params(frq_snap, params);
	free(params);
}

static int64_t frq_pid_of(const char *employee_id)
{
	for (int i = 1; i <= FRQ_PEOPLE; i++) {
		char eid[16];
		snprintf(eid, sizeof(eid), "E%d", i);
		if (strcmp(eid, employee_id) == 0)
			return 100 + i;
	}
	return 0;
}

/* Records in memory. "busy" is a store that cannot take it now. */
static int frq_set_status(void *ctx, const char *employee_id, const char *status,
                          const char *reason, const char *by, int64_t at, int64_t *out_pid)
{
	size_t len = strlen(employee_id);

	(void)ctx;
	frq_rec.calls++;
	frq_check(invite_status_parse(status) != INVITE_NONE ||
	              (strcmp(status, "none") == 0 && reason && *reason),
	          "a valid status is recorded (none only with a reason)", NULL);
	frq_check(len >= 1 && len <= 64, "an employee_id of 1 to 64 bytes", NULL);
	for (size_t i = 0; i < len; i++)
		frq_check((unsigned char)employee_id[i] >= 0x20 && employee_id[i] != 0x7f,
		          "no control characters in employee_id", NULL);
	frq_check(by && strcmp(by, FRQ_CLIENT) == 0, "recorded by the caller", NULL);
	frq_check(at == FRQ_NOW, "recorded at the request time", NULL);
	if (strcmp(employee_id, "busy") == 0)
		return ERR_BUSY;
	if (!(*out_pid = frq_pid_of(employee_id)))
		return ERR_NOT_FOUND;
	return 0;
}

static invite_book *frq_book(void)
{
	invite_book *b = invite_book_new();

	invite_book_set(b, 102, INVITE_INVITED, FRQ_NOW - FRQ_DAY);
	invite_book_set(b, 103, INVITE_ACCEPTED, FRQ_NOW - 30 * FRQ_DAY);
	invite_book_set(b, 104, INVITE_DECLINED, FRQ_NOW - 10 * FRQ_DAY);
	invite_book_set(b, 105, INVITE_WITHDRAWN, FRQ_NOW - 400 * FRQ_DAY);
	return b;
}

static bool frq_known_code(const char *code)
{
	static const char *const codes[] = {"bad_request", "unknown_op",  "forbidden",
	                                    "not_found",   "unavailable", "internal"};

	for (size_t i = 0; i < sizeof(codes) / sizeof(codes[0]); i++)
		if (strcmp(code, codes[i]) == 0)
			return true;
	return false;
}

/* The request's `id` when the protocol must echo it, else NULL. */
static json_t *frq_request_id(const uint8_t *body, size_t len, json_t **root)
{
	json_t *id;

	*root = NULL;
	if (len == 0 || len > PROTO_MAX_REQUEST ||
	    proto_depth_ok((const char *)body, len, PROTO_MAX_DEPTH) != 0)
		return NULL;
	*root = json_loadb((const char *)body, len, JSON_REJECT_DUPLICATES, NULL);
	if (!json_is_object(*root))
		return NULL;
	id = json_object_get(*root, "id");
	if (json_is_integer(id) || (json_is_string(id) && json_string_length(id) <= 128))
		return id;
	return NULL;
}

static void frq_check_items(const struct proto_result *res, json_t *reply)
{
	json_t *items = json_object_get(reply, "items"), *item;
	json_int_t last_rank = 0;
	size_t i;

	if (!items)
		return;
	frq_check(json_is_array(items), "items is an array", res->reply);
	frq_check(res->people == (int64_t)json_array_size(items), "people counts the items",
	          res->reply);
	json_array_foreach(items, i, item)
	{
		const char *eid = json_string_value(json_object_get(item, "employee_id"));
		const struct served_person *p = eid ? served_find(frq_snap, eid) : NULL;
		frq_check(p != NULL, "an item is someone in the snapshot", res->reply);
		frq_check(p->eligible && p->listable && p->rank > 0,
		          "only ranked, listable people are listed", res->reply);
		if (strcmp(res->op, "rank") == 0) {
			json_int_t r = json_integer_value(json_object_get(item, "rank"));
			frq_check(r == p->rank && r > last_rank, "rank items come by rank",
			          res->reply);
			last_rank = r;
		}
		if (strcmp(res->op, "invitations") == 0)
			frq_check(p->pid == 107 || p->pid == 101,
			          "only approved-pilot people whose status is none are invited",
			          res->reply);
	}
}

int fuzz_request_one(const uint8_t *data, size_t size)
{
	struct proto_env env = {
	    .role = ROLE_HR,
	    .client = FRQ_CLIENT,
	    .now = FRQ_NOW,
	    .set_status = frq_set_status,
	};
	struct proto_result res;
	json_t *reply, *req_root, *req_id, *ok, *err;
	invite_book *book = NULL;
	bool is_ok;

	frq_init();
	if (size < 1)
		return 0;
	env.role = (data[0] & 1) ? ROLE_INTRANET : ROLE_HR;
	if (!(data[0] & 2)) {
		env.snap = frq_snap;
		env.invites = book = frq_book();
	}
	if (data[0] & 4)
		env.set_status = NULL;
	data++, size--;
	frq_rec.calls = 0;

	proto_handle(&env, data, size, &res);
	frq_check(res.reply != NULL && res.len == strlen(res.reply), "a reply of len bytes",
	          res.reply);
	frq_check(res.status != NULL, "a status", res.reply);
	reply = json_loadb(res.reply, res.len, JSON_REJECT_DUPLICATES, NULL);
	frq_check(json_is_object(reply), "the reply is a JSON object", res.reply);
	ok = json_object_get(reply, "ok");
	frq_check(json_is_boolean(ok), "the reply has a boolean ok", res.reply);
	is_ok = json_is_true(ok);
	frq_check(is_ok == (strcmp(res.status, "ok") == 0), "ok agrees with the status", res.reply);
	frq_check(is_ok == (proto_reply_ok(res.reply, res.len) == 1), "proto_reply_ok agrees",
	          res.reply);
	frq_check(is_ok || strcmp(res.op, "invitation_status") == 0 || frq_rec.calls == 0,
	          "only invitation_status records anything", res.reply);
	if (is_ok) {
		frq_check(strcmp(res.op, "-") != 0, "an ok reply names its op", res.reply);
		frq_check_items(&res, reply);
	} else {
		const char *code, *msg;
		err = json_object_get(reply, "error");
		code = json_string_value(json_object_get(err, "code"));
		msg = json_string_value(json_object_get(err, "message"));
		frq_check(code && msg, "an error has a code and a message", res.reply);
		frq_check(frq_known_code(code), "the code is one of docs/design.md, Contract 5.2",
		          res.reply);
		frq_check(strcmp(code, res.status) == 0, "the code is the status", res.reply);
		frq_check(res.people == 0, "an error lists nobody", res.reply);
	}
	if (env.role == ROLE_INTRANET) {
		frq_check(proto_intranet_check(res.reply, res.len) == 0,
		          "an intranet reply holds no HR-only field", res.reply);
		const char *m =
		    json_string_value(json_object_get(json_object_get(reply, "error"), "message"));
		frq_check(!m || strcmp(m, "reply withheld") != 0,
		          "the intranet filter never has to withhold a reply", res.reply);
		if (strcmp(res.op, "rank") == 0 || strcmp(res.op, "candidates") == 0 ||
		    strcmp(res.op, "explain") == 0)
			frq_check(strcmp(res.status, "forbidden") == 0,
			          "HR-only ops are forbidden to the intranet", res.reply);
	}
	req_id = frq_request_id(data, size, &req_root);
	if (req_id)
		frq_check(json_equal(req_id, json_object_get(reply, "id")), "the id is echoed",
		          res.reply);
	json_decref(req_root);
	json_decref(reply);
	proto_result_free(&res);
	invite_book_destroy(&book);
	return 0;
}

#ifndef AMB_FUZZ_NO_MAIN
int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	frq_init();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return fuzz_request_one(data, size);
}
#endif
