/* test_protocol.c - decoding, validation, every error code, limits and
 * the intranet oracle, over a small snapshot built in memory. */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "core/mem.h"
#include "ipc/invite_book.h"
#include "ipc/protocol.h"
#include "ipc/served.h"

#define NOW 1700000000LL

/* jansson's json_is_* are macros starting with '(', which Criterion's
 * cr_assert cannot take as its first token. */
static bool j_is_true(json_t *j)
{
	return json_is_true(j);
}
static bool j_is_false(json_t *j)
{
	return json_is_false(j);
}
static bool j_is_string(json_t *j)
{
	return json_is_string(j);
}
static bool j_is_object(json_t *j)
{
	return json_is_object(j);
}
static bool j_is_array(json_t *j)
{
	return json_is_array(j);
}
static bool j_is_number(json_t *j)
{
	return json_is_number(j);
}
static bool j_is_integer(json_t *j)
{
	return json_is_integer(j);
}
static bool j_is_null(json_t *j)
{
	return json_is_null(j);
}

static served *snap;
static invite_book *book;
static int set_calls;
static int set_result;

static int fake_set(void *ctx, const char *employee_id, const char *status, const char *reason,
                    const char *by, int64_t at, int64_t *out_pid)
{
	(void)ctx;
	(void)status;
	(void)reason;
	(void)by;
	(void)at;
	set_calls++;
	if (set_result)
		return set_result;
	if (strncmp(employee_id, "E", 1) != 0)
		return ERR_NOT_FOUND;
	*out_pid = strtoll(employee_id + 1, NULL, 10);
	return 0;
}

/* The approved pilot, in the order a person left it: E12 has opted out
 * since. E6, E7, E8 and E11 are not in it. */
static const int pilot_order[] = {10, 1, 2, 3, 4, 5, 9, 12};

static void add_pilot(served *sv)
{
	struct pilot_info pi = {.id = 4, .name = "spring pilot", .approved_at = NOW - 86400};

	served_set_pilot(sv, &pi);
	for (size_t k = 0; k < sizeof(pilot_order) / sizeof(pilot_order[0]); k++) {
		int i = pilot_order[k];
		char eid[16], name[32];
		snprintf(eid, sizeof(eid), "E%d", i);
		snprintf(name, sizeof(name), "Person %d", i);
		struct pilot_member m = {
		    .pid = i,
		    .position = (int64_t)k + 1,
		    .employee_id = eid,
		    .name = name,
		    .email = "p@example.test",
		    .department = i >= 9 && i <= 10 ? "Legal" : (i % 2 ? "Sales" : "IT"),
		    .level = "",
		    .consent = i == 12 ? "no" : "yes",
		    .reason = "",
		    .invitation = "none",
		};
		served_pilot_add(sv, &m);
	}
}

/* 12 people: E1..E10 ranked (E1 best), E11 not eligible, E12 opted out.
 * Departments alternate Sales / IT; E9 and E10 are in Legal. */
static void setup(void)
{
	struct service_snapshot info = {.id = 7, .computed_at = NOW, .as_of = NOW};

	snprintf(info.profile, sizeof(info.profile), "default");
	snap = served_new(&info);
	for (int i = 1; i <= 12; i++) {
		char eid[16], name[32], email[32];
		snprintf(eid, sizeof(eid), "E%d", i);
		snprintf(name, sizeof(name), "Person %d", i);
		snprintf(email, sizeof(email), "p%d@example.test", i);
		struct service_row r = {
		    .pid = i,
		    .employee_id = eid,
		    .name = name,
		    .email = email,
		    .department = i >= 9 && i <= 10 ? "Legal" : (i % 2 ? "Sales" : "IT"),
		    .level = i % 3 ? "employee" : "manager",
		    .opted_out = i == 12,
		    .eligible = i <= 10,
		    .rank = i <= 10 ? i : 0,
		    .score = 90.0 - i,
		    .activity = 0.9 - i / 100.0,
		    .attitude = 0.8,
		    .motivation = i == 3 ? NAN : 0.7,
		    .detail = "{\"eligible\":true}",
		};
		served_add(snap, &r);
	}
	add_pilot(snap);
	served_seal(snap);
	book = invite_book_new();
	set_calls = 0;
	set_result = 0;
}

static void teardown(void)
{
	served_unref(&snap);
	invite_book_destroy(&book);
}

TestSuite(protocol, .init = setup, .fini = teardown, .timeout = 10);

static struct proto_env env_for(enum ipc_role role)
{
	struct proto_env env = {
	    .snap = snap,
	    .invites = book,
	    .role = role,
	    .client = "test",
	    .now = NOW,
	    .set_status = fake_set,
	};
	return env;
}

/* Send `req` as `role`; returns the parsed reply (caller decrefs). */
static json_t *ask_as(enum ipc_role role, const char *req, struct proto_result *res_out)
{
	struct proto_env env = env_for(role);
	struct proto_result res;
	json_t *j;

	proto_handle(&env, req, strlen(req), &res);
	j = json_loadb(res.reply, res.len, 0, NULL);
	cr_assert(j != NULL, "reply is not JSON: %s", res.reply);
	if (res_out)
		*res_out = res;
	else
		proto_result_free(&res);
	return j;
}

static const char *error_code(json_t *reply)
{
	return json_string_value(json_object_get(json_object_get(reply, "error"), "code"));
}

static void expect_error(enum ipc_role role, const char *req, const char *code)
{
	json_t *r = ask_as(role, req, NULL);

	cr_assert(j_is_false(json_object_get(r, "ok")), "expected an error for %s", req);
	cr_assert(eq(str, (char *)error_code(r), (char *)code), "request %s", req);
	cr_assert(j_is_string(json_object_get(json_object_get(r, "error"), "message")));
	json_decref(r);
}

Test(protocol, ping_answers_the_version_and_the_snapshot_and_echoes_the_id)
{
	json_t *r = ask_as(ROLE_INTRANET, "{\"op\":\"ping\",\"id\":42}", NULL);

	cr_assert(j_is_true(json_object_get(r, "ok")));
	cr_assert(eq(int, (int)json_integer_value(json_object_get(r, "id")), 42));
	cr_assert(eq(int,
	             (int)json_integer_value(json_object_get(json_object_get(r, "snapshot"), "id")),
	             7));
	cr_assert(j_is_string(json_object_get(r, "version")));
	json_decref(r);
}

Test(protocol, rank_lists_eligible_people_best_first_with_components)
{
	struct proto_result res;
	json_t *r = ask_as(ROLE_HR, "{\"op\":\"rank\",\"limit\":3,\"id\":\"a\"}", &res);
	json_t *items = json_object_get(r, "items");

	cr_assert(eq(sz, json_array_size(items), 3));
	cr_assert(
	    eq(str,
	       (char *)json_string_value(json_object_get(json_array_get(items, 0), "employee_id")),
	       "E1"));
	cr_assert(j_is_object(json_object_get(json_array_get(items, 0), "components")));
	cr_assert(eq(str, (char *)json_string_value(json_object_get(r, "id")), "a"));
	cr_assert(eq(i64, res.people, 3));
	cr_assert(eq(str, (char *)res.op, "rank"));
	cr_assert(eq(str, (char *)res.status, "ok"));
	proto_result_free(&res);
	json_decref(r);
}

Test(protocol, rank_defaults_to_twenty_and_caps_the_limit_at_one_thousand)
{
	json_t *r = ask_as(ROLE_HR, "{\"op\":\"rank\",\"limit\":5000000}", NULL);

	/* capped, not refused: only 10 are ranked */
	cr_assert(j_is_true(json_object_get(r, "ok")));
	cr_assert(eq(sz, json_array_size(json_object_get(r, "items")), 10));
	json_decref(r);
}

Test(protocol, rank_filters_by_department_and_level_and_skips_offset)
{
	json_t *r = ask_as(
	    ROLE_HR, "{\"op\":\"rank\",\"department\":\"sales\",\"offset\":1,\"limit\":2}", NULL);
	json_t *items = json_object_get(r, "items");

	cr_assert(eq(sz, json_array_size(items), 2));
	cr_assert(
	    eq(str,
	       (char *)json_string_value(json_object_get(json_array_get(items, 0), "employee_id")),
	       "E3"));
	json_decref(r);
	r = ask_as(ROLE_HR, "{\"op\":\"rank\",\"level\":\"manager\"}", NULL);
	cr_assert(eq(sz, json_array_size(json_object_get(r, "items")), 3)); /* E3 E6 E9 */
	json_decref(r);
}

Test(protocol, out_of_range_and_wrongly_typed_fields_are_bad_requests)
{
	const char *bad[] = {
	    "{\"op\":\"rank\",\"limit\":-1}",
	    "{\"op\":\"rank\",\"limit\":0}",
	    "{\"op\":\"rank\",\"limit\":1e12}",
	    "{\"op\":\"rank\",\"limit\":\"5\"}",
	    "{\"op\":\"rank\",\"limit\":null}",
	    "{\"op\":\"rank\",\"offset\":-3}",
	    "{\"op\":\"rank\",\"offset\":99999999999}",
	    "{\"op\":\"rank\",\"department\":\"\"}",
	    "{\"op\":\"rank\",\"department\":7}",
	    "{\"op\":\"rank\",\"department\":\"a\\nb\"}",
	    "{\"op\":\"explain\"}",
	    "{\"op\":\"explain\",\"employee_id\":12}",
	    "{\"op\":\"invitation_status\",\"employee_id\":\"E1\",\"status\":\"maybe\"}",
	    "{\"op\":\"invitation_status\",\"employee_id\":\"E1\"}",
	    "{\"op\":\"candidates\",\"max_share\":0}",
	    "{\"op\":\"candidates\",\"max_share\":1.5}",
	    "{\"op\":\"candidates\",\"size\":0}",
	    "{\"op\":\"ping\",\"id\":{\"x\":1}}",
	    "{\"op\":\"ping\",\"id\":1.5}",
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		expect_error(ROLE_HR, bad[i], "bad_request");
}

Test(protocol, a_ten_kilobyte_department_name_is_refused)
{
	static const char head[] = "{\"op\":\"rank\",\"department\":\"";
	char *req = malloc(12 * 1024);

	memcpy(req, head, sizeof(head) - 1);
	memset(req + sizeof(head) - 1, 'x', 10 * 1024);
	memcpy(req + sizeof(head) - 1 + 10 * 1024, "\"}", 3);
	expect_error(ROLE_HR, req, "bad_request");
	free(req);
}

Test(protocol, fields_outside_the_ops_schema_are_refused)
{
	expect_error(ROLE_HR, "{\"op\":\"rank\",\"limt\":5}", "bad_request");
	expect_error(ROLE_INTRANET, "{\"op\":\"invitations\",\"role\":\"hr\"}", "bad_request");
	expect_error(ROLE_INTRANET, "{\"op\":\"invitations\",\"fields\":[\"score\"]}",
	             "bad_request");
	expect_error(ROLE_HR, "{\"op\":\"ping\",\"extra\":true}", "bad_request");
}

Test(protocol, malformed_json_of_every_kind_is_a_bad_request)
{
	const char *bad[] = {
	    "not json",
	    "{\"op\":\"ping\"",
	    "{\"op\":\"ping\"}}",
	    "[\"op\",\"ping\"]",
	    "\"ping\"",
	    "{\"op\":\"ping\",\"op\":\"rank\"}", /* duplicate keys */
	    "{\"op\":\"pi\\u0000ng\"}",          /* NUL inside a string */
	    "{\"op\":\"p\xc3\x28ng\"}",          /* invalid UTF-8 */
	    "{\"op\":\"\xed\xa0\x80\"}",         /* surrogate */
	    "{\"op\":\"\xc0\xaf\"}",             /* overlong */
	    "",
	    "{}",
	    "{\"op\":5}",
	    "{\"op\":null}",
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		expect_error(ROLE_HR, bad[i], "bad_request");
}

Test(protocol, ten_thousand_open_brackets_are_refused_before_parsing)
{
	char *req = malloc(10001);

	memset(req, '[', 10000);
	req[10000] = '\0';
	expect_error(ROLE_HR, req, "bad_request");
	free(req);
	cr_assert(eq(int, proto_depth_ok("[[[]]]", 6, 3), 0));
	cr_assert(eq(int, proto_depth_ok("[[[[]]]]", 8, 3), -1));
	/* brackets inside strings do not count, escaped quotes do not end one */
	cr_assert(eq(int, proto_depth_ok("[\"[[[[\\\"[[[[\"]", 14, 1), 0));
}

Test(protocol, a_request_over_the_size_limit_is_refused)
{
	size_t n = PROTO_MAX_REQUEST + 10;
	char *req = malloc(n + 1);
	struct proto_env env = env_for(ROLE_HR);
	struct proto_result res;

	memset(req, ' ', n);
	memcpy(req, "{\"op\":\"ping\"}", 13);
	proto_handle(&env, req, n, &res);
	cr_assert(not(eq(ptr, strstr(res.reply, "bad_request"), NULL)));
	proto_result_free(&res);
	free(req);
}

Test(protocol, an_unknown_op_is_unknown_op_and_keeps_the_id)
{
	json_t *r = ask_as(ROLE_HR, "{\"op\":\"export\",\"id\":\"x1\"}", NULL);

	cr_assert(eq(str, (char *)error_code(r), "unknown_op"));
	cr_assert(eq(str, (char *)json_string_value(json_object_get(r, "id")), "x1"));
	json_decref(r);
}

Test(protocol, the_intranet_is_forbidden_scores_and_explanations)
{
	expect_error(ROLE_INTRANET, "{\"op\":\"rank\"}", "forbidden");
	expect_error(ROLE_INTRANET, "{\"op\":\"candidates\",\"size\":3}", "forbidden");
	expect_error(ROLE_INTRANET, "{\"op\":\"explain\",\"employee_id\":\"E1\"}", "forbidden");
	/* forbidden comes before any validation: nothing about the data leaks */
	expect_error(ROLE_INTRANET, "{\"op\":\"explain\",\"employee_id\":\"nobody\"}", "forbidden");
}

Test(protocol, explain_of_an_unknown_or_opted_out_person_is_not_found)
{
	expect_error(ROLE_HR, "{\"op\":\"explain\",\"employee_id\":\"nobody\"}", "not_found");
	expect_error(ROLE_HR, "{\"op\":\"explain\",\"employee_id\":\"E12\"}", "not_found");
}

Test(protocol, explain_gives_components_percentiles_weights_and_the_decision_support_flag)
{
	json_t *r = ask_as(ROLE_HR, "{\"op\":\"explain\",\"employee_id\":\"E2\"}", NULL);
	json_t *pct = json_object_get(json_object_get(r, "percentiles"), "company");

	cr_assert(j_is_true(json_object_get(r, "ok")));
	cr_assert(j_is_object(json_object_get(r, "components")));
	cr_assert(j_is_number(json_object_get(pct, "activity")));
	cr_assert(j_is_object(json_object_get(r, "weights")));
	cr_assert(j_is_array(json_object_get(r, "reasons")));
	cr_assert(j_is_true(json_object_get(r, "decision_support")));
	/* Legal has 2 people: below the minimum group, no department percentile */
	json_decref(r);
	r = ask_as(ROLE_HR, "{\"op\":\"explain\",\"employee_id\":\"E9\"}", NULL);
	pct = json_object_get(json_object_get(r, "percentiles"), "department");
	cr_assert(j_is_null(json_object_get(pct, "activity")));
	json_decref(r);
}

Test(protocol, without_a_snapshot_data_ops_are_unavailable_and_ping_still_answers)
{
	struct proto_env env = env_for(ROLE_HR);
	struct proto_result res;
	const char *req = "{\"op\":\"rank\"}";

	env.snap = NULL;
	proto_handle(&env, req, strlen(req), &res);
	cr_assert(not(eq(ptr, strstr(res.reply, "\"unavailable\""), NULL)), "%s", res.reply);
	proto_result_free(&res);
	req = "{\"op\":\"ping\"}";
	proto_handle(&env, req, strlen(req), &res);
	cr_assert(not(eq(ptr, strstr(res.reply, "\"snapshot\":null"), NULL)), "%s", res.reply);
	proto_result_free(&res);
}

Test(protocol, a_store_failure_while_recording_a_status_is_internal)
{
	set_result = ERR_DB;
	expect_error(ROLE_INTRANET,
	             "{\"op\":\"invitation_status\",\"employee_id\":\"E1\",\"status\":\"invited\"}",
	             "internal");
	set_result = ERR_BUSY;
	expect_error(ROLE_INTRANET,
	             "{\"op\":\"invitation_status\",\"employee_id\":\"E1\",\"status\":\"invited\"}",
	             "unavailable");
	set_result = 0;
	expect_error(ROLE_INTRANET,
	             "{\"op\":\"invitation_status\",\"employee_id\":\"X1\",\"status\":\"invited\"}",
	             "not_found");
}

static size_t invitation_count(const char *req, const char *must_not_list)
{
	json_t *r = ask_as(ROLE_INTRANET, req, NULL);
	json_t *items = json_object_get(r, "items"), *it;
	size_t i, n = json_array_size(items);

	json_array_foreach(items, i, it)
	{
		cr_assert(eq(sz, json_object_size(it), 4));
		if (must_not_list)
			cr_assert(not(
			    eq(str, (char *)json_string_value(json_object_get(it, "employee_id")),
			       (char *)must_not_list)));
	}
	json_decref(r);
	return n;
}

/* The employee_ids the intranet would be given, in reply order. */
static void invitees(const char *req, char *out, size_t size)
{
	json_t *r = ask_as(ROLE_INTRANET, req, NULL), *it;
	size_t i, len = 0;

	out[0] = '\0';
	cr_assert(j_is_true(json_object_get(r, "ok")), "%s", req);
	json_array_foreach(json_object_get(r, "items"), i, it)
	{
		len += (size_t)snprintf(out + len, size - len, "%s%s", i ? "," : "",
		                        json_string_value(json_object_get(it, "employee_id")));
	}
	json_decref(r);
}

Test(protocol, invitations_are_the_approved_pilot_minus_anyone_with_a_status_in_order)
{
	const char *list = "{\"op\":\"invitations\",\"limit\":100}";
	char got[256];

	invitees(list, got, sizeof(got)); /* E12 opted out; never a ranking */
	cr_assert(eq(str, got, "E10,E1,E2,E3,E4,E5,E9"));
	cr_assert(eq(sz, invitation_count(list, "E12"), 7));
	invite_book_set(book, 1, INVITE_ACCEPTED, NOW - 10);
	invite_book_set(book, 2, INVITE_INVITED, NOW - 10);
	invite_book_set(book, 3, INVITE_DECLINED, NOW - 86400);
	invite_book_set(book, 4, INVITE_DECLINED, NOW - 400 * 86400LL); /* still declined */
	invite_book_set(book, 5, INVITE_WITHDRAWN, NOW - 86400);
	invitees(list, got, sizeof(got));
	cr_assert(eq(str, got, "E10,E9"));
	invite_book_set(book, 2, INVITE_NONE, NOW); /* HR set it back */
	invitees(list, got, sizeof(got));
	cr_assert(eq(str, got, "E10,E2,E9"));
	invitees("{\"op\":\"invitations\",\"limit\":2}", got, sizeof(got));
	cr_assert(eq(str, got, "E10,E2"));
	invitees("{\"op\":\"invitations\",\"department\":\" legal \"}", got, sizeof(got));
	cr_assert(eq(str, got, "E10,E9"));
}

Test(protocol, invitations_name_the_pilot)
{
	json_t *r = ask_as(ROLE_INTRANET, "{\"op\":\"invitations\"}", NULL);
	json_t *pilot = json_object_get(r, "pilot");

	cr_assert(
	    eq(str, (char *)json_string_value(json_object_get(pilot, "name")), "spring pilot"));
	cr_assert(j_is_string(json_object_get(pilot, "approved_at")));
	json_decref(r);
}

Test(protocol, without_an_approved_pilot_nobody_is_invited)
{
	struct service_snapshot info = {.id = 8, .computed_at = NOW, .as_of = NOW};
	struct service_row row = {.pid = 1,
	                          .employee_id = "E1",
	                          .department = "IT",
	                          .eligible = true,
	                          .rank = 1,
	                          .score = 90,
	                          .detail = "{}"};
	struct proto_env env = env_for(ROLE_INTRANET);
	const char *req = "{\"op\":\"invitations\",\"limit\":10}";
	struct proto_result res;
	served *bare = served_new(&info);
	json_t *r;

	served_add(bare, &row);
	served_seal(bare);
	env.snap = bare;
	proto_handle(&env, req, strlen(req), &res);
	r = json_loads(res.reply, 0, NULL);
	cr_assert(j_is_true(json_object_get(r, "ok")), "%s", res.reply);
	cr_assert(eq(sz, json_array_size(json_object_get(r, "items")), 0));
	cr_assert(j_is_null(json_object_get(r, "pilot")), "%s", res.reply);
	json_decref(r);
	proto_result_free(&res);
	served_unref(&bare);
}

Test(protocol, invitations_limit_keeps_to_1_to_1000)
{
	json_t *r = ask_as(ROLE_INTRANET, "{\"op\":\"invitations\",\"limit\":1001}", NULL);

	cr_assert(eq(str, (char *)error_code(r), "bad_request"));
	cr_assert(eq(
	    str, (char *)json_string_value(json_object_get(json_object_get(r, "error"), "message")),
	    "limit: must be between 1 and 1000"));
	json_decref(r);
	expect_error(ROLE_INTRANET, "{\"op\":\"invitations\",\"limit\":0}", "bad_request");
}

Test(protocol, only_hr_sets_a_status_back_to_none_and_with_a_reason)
{
	const char *none_no_reason =
	    "{\"op\":\"invitation_status\",\"employee_id\":\"E1\",\"status\":\"none\"}";
	const char *none =
	    "{\"op\":\"invitation_status\",\"employee_id\":\"E1\",\"status\":\"none\","
	    "\"reason\":\"clicked the wrong person\"}";
	json_t *r;

	expect_error(ROLE_INTRANET, none, "forbidden");
	expect_error(ROLE_HR, none_no_reason, "bad_request");
	cr_assert(eq(int, set_calls, 0));
	r = ask_as(ROLE_HR, none, NULL);
	cr_assert(j_is_true(json_object_get(r, "ok")));
	cr_assert(eq(int, set_calls, 1));
	json_decref(r);
}

Test(protocol, a_refused_status_is_forbidden_with_the_stores_reason)
{
	json_t *r;

	set_result = err_set(ERR_FORBIDDEN, "E1 has opted out and cannot be invited");
	r = ask_as(ROLE_INTRANET,
	           "{\"op\":\"invitation_status\",\"employee_id\":\"E1\",\"status\":\"invited\"}",
	           NULL);
	cr_assert(eq(str, (char *)error_code(r), "forbidden"));
	cr_assert(not(
	    eq(ptr,
	       strstr(json_string_value(json_object_get(json_object_get(r, "error"), "message")),
	              "opted out"),
	       NULL)));
	json_decref(r);
}

Test(protocol, recording_a_status_updates_the_list_at_once)
{
	json_t *r = ask_as(ROLE_INTRANET,
	                   "{\"op\":\"invitation_status\",\"employee_id\":\"E1\",\"status\":"
	                   "\"accepted\",\"id\":9}",
	                   NULL);

	cr_assert(j_is_true(json_object_get(r, "ok")));
	cr_assert(eq(int, set_calls, 1));
	json_decref(r);
	cr_assert(eq(sz, invitation_count("{\"op\":\"invitations\",\"limit\":100}", "E1"), 6));
}

Test(protocol, candidates_come_with_a_reason_for_each_person)
{
	json_t *r = ask_as(ROLE_HR, "{\"op\":\"candidates\",\"size\":4,\"max_share\":0.5}", NULL);
	json_t *items = json_object_get(r, "items"), *it;
	size_t i;

	cr_assert(j_is_true(json_object_get(r, "ok")), "%s", json_dumps(r, 0));
	json_array_foreach(items, i, it)
	{
		cr_assert(j_is_string(json_object_get(it, "reason")));
		cr_assert(j_is_integer(json_object_get(it, "rank")));
	}
	json_decref(r);
}

/* The oracle of test plan I3 / G3: whatever an intranet client sends, no
 * reply carries a score, rank, component, reason or answer. */
Test(protocol, no_intranet_reply_ever_holds_hr_only_fields)
{
	const char *reqs[] = {
	    "{\"op\":\"ping\"}",
	    "{\"op\":\"rank\"}",
	    "{\"op\":\"candidates\"}",
	    "{\"op\":\"explain\",\"employee_id\":\"E1\"}",
	    "{\"op\":\"invitations\",\"limit\":1000}",
	    "{\"op\":\"invitations\",\"department\":\"IT\"}",
	    "{\"op\":\"invitation_status\",\"employee_id\":\"E2\",\"status\":\"invited\"}",
	    "{\"op\":\"invitations\",\"fields\":[\"score\"]}",
	    "{\"op\":\"nope\",\"score\":1}",
	    "garbage",
	};
	const char *words[] = {"score",    "rank",     "components", "reason", "answers",
	                       "activity", "attitude", "motivation", "detail", "percentile"};

	for (size_t i = 0; i < sizeof(reqs) / sizeof(reqs[0]); i++) {
		struct proto_env env = env_for(ROLE_INTRANET);
		struct proto_result res;
		proto_handle(&env, reqs[i], strlen(reqs[i]), &res);
		cr_assert(eq(int, proto_intranet_check(res.reply, res.len), 0), "%s", res.reply);
		for (size_t w = 0; w < sizeof(words) / sizeof(words[0]); w++) {
			char key[32];
			snprintf(key, sizeof(key), "\"%s\":", words[w]);
			cr_assert(eq(ptr, strstr(res.reply, key), NULL), "%s leaks %s", res.reply,
			          words[w]);
		}
		proto_result_free(&res);
	}
}

Test(protocol, the_oracle_rejects_replies_with_hr_only_fields)
{
	const char *bad[] = {
	    "{\"ok\":true,\"items\":[{\"employee_id\":\"a\",\"name\":\"b\",\"email\":\"c\","
	    "\"department\":\"d\",\"score\":1}]}",
	    "{\"ok\":true,\"items\":[{\"employee_id\":\"a\",\"name\":\"b\",\"email\":\"c\"}]}",
	    "{\"ok\":true,\"x\":{\"y\":[{\"rank\":1}]}}",
	    "not json",
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		cr_assert(eq(int, proto_intranet_check(bad[i], strlen(bad[i])), -1), "%s", bad[i]);
}

Test(protocol, error_replies_built_without_a_request_use_the_spec_shape)
{
	size_t len;
	char *text = proto_error_reply("bad_request", "a request is one frame", &len);

	cr_assert(eq(str, text,
	             "{\"ok\":false,\"error\":{\"code\":\"bad_request\",\"message\":\"a request is "
	             "one frame\"}}"));
	cr_assert(eq(int, proto_reply_ok(text, len), 0));
	free(text);
	cr_assert(eq(int, proto_reply_ok("{\"ok\":true}", 11), 1));
}

/* The reply cache's key for requests with an id: the same request with
 * other ids, in another key order or spacing, has the same key; the
 * cached reply without the id, given another caller's id, is exactly what
 * proto_handle answers that caller. */
Test(protocol, requests_differing_only_in_id_share_a_cache_key_and_get_their_own_id)
{
	static const char *const reqs[] = {
	    "{\"op\":\"rank\",\"limit\":3,\"id\":1}",
	    "{ \"id\" : \"abc\\u00e9\", \"limit\" : 3, \"op\" : \"rank\" }",
	    "{\"limit\":3,\"op\":\"rank\",\"id\":-77}",
	};
	char *first = NULL, *bare = NULL;
	size_t bare_len = 0;

	for (size_t i = 0; i < sizeof(reqs) / sizeof(reqs[0]); i++) {
		char *canon, *id_text;
		struct proto_env env = env_for(ROLE_HR);
		struct proto_result res = {0};
		size_t len;
		cr_assert(eq(int, proto_cache_key(reqs[i], strlen(reqs[i]), &canon, &id_text), 1),
		          "%s", reqs[i]);
		if (!first)
			first = xstrdup(canon);
		cr_assert(eq(str, canon, first));
		proto_handle(&env, reqs[i], strlen(reqs[i]), &res);
		cr_assert(eq(str, (char *)res.status, "ok"));
		if (!bare) {
			bare = proto_reply_without_id(res.reply, res.len, id_text, &bare_len);
			cr_assert(bare != NULL, "reply %s does not end in its id", res.reply);
			cr_assert(eq(sz, bare_len, res.len - 6 - strlen(id_text)));
			json_t *j = json_loadb(bare, bare_len, JSON_REJECT_DUPLICATES, NULL);
			cr_assert(j != NULL && json_object_get(j, "id") == NULL, "%s", bare);
			json_decref(j);
		}
		char *again = proto_reply_with_id(bare, bare_len, id_text, &len);
		cr_assert(again != NULL);
		cr_assert(eq(sz, len, res.len));
		cr_assert(eq(str, again, res.reply));
		/* Another caller's id is not this reply's. */
		cr_assert(
		    eq(ptr, proto_reply_without_id(res.reply, res.len, "\"other\"", &len), NULL));
		free(again);
		proto_result_free(&res);
		free(canon);
		free(id_text);
	}
	free(first);
	free(bare);
}

Test(protocol, cache_keys_tell_requests_apart_and_skip_what_would_not_decode)
{
	char *c1, *c2, *id1, *id2;

	/* no id: the raw bytes are the key */
	cr_assert(eq(int, proto_cache_key("{\"op\":\"rank\"}", 13, &c1, &id1), 0));
	cr_assert(eq(ptr, c1, NULL));
	/* a different limit is a different key */
	cr_assert(
	    eq(int, proto_cache_key("{\"op\":\"rank\",\"limit\":3,\"id\":1}", 30, &c1, &id1), 1));
	cr_assert(
	    eq(int, proto_cache_key("{\"op\":\"rank\",\"limit\":4,\"id\":1}", 30, &c2, &id2), 1));
	cr_assert(ne(str, c1, c2));
	free(c1);
	free(c2);
	free(id1);
	free(id2);
	/* 3 and 3.0 stay apart (one is a bad request) */
	cr_assert(
	    eq(int, proto_cache_key("{\"op\":\"rank\",\"limit\":3,\"id\":1}", 30, &c1, &id1), 1));
	cr_assert(
	    eq(int, proto_cache_key("{\"op\":\"rank\",\"limit\":3.0,\"id\":1}", 32, &c2, &id2), 1));
	cr_assert(ne(str, c1, c2));
	free(c1);
	free(c2);
	free(id1);
	free(id2);
	/* not cached: duplicate keys, a bad id, not an object, not JSON */
	cr_assert(eq(
	    int, proto_cache_key("{\"op\":\"rank\",\"op\":\"ping\",\"id\":1}", 33, &c1, &id1), -1));
	cr_assert(eq(int, proto_cache_key("{\"op\":\"rank\",\"id\":[1]}", 22, &c1, &id1), -1));
	cr_assert(eq(int, proto_cache_key("[\"id\"]", 6, &c1, &id1), -1));
	cr_assert(eq(int, proto_cache_key("{\"id\":1", 7, &c1, &id1), -1));
	cr_assert(eq(ptr, c1, NULL));
	cr_assert(eq(ptr, id1, NULL));
}
