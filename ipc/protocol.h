/* protocol.h - the JSON request/reply protocol of docs/design.md, Contract 5.2: decoding and
 * validating a request, dispatching it through the op table, encoding the
 * reply. No sockets and no database here: the server (and the tests, and
 * a fuzzer) hand in the request bytes and an environment, and get the
 * reply bytes plus what the audit log needs.
 *
 * Limits: a request is at most PROTO_MAX_REQUEST bytes and nests at most
 * PROTO_MAX_DEPTH levels (checked by a scan before parsing, so 10 000 '['
 * cost a linear pass and no recursion); duplicate keys, invalid UTF-8 and
 * \u0000 are refused; fields outside an op's schema are refused; `limit`
 * defaults to 20 and is capped at 1000 (rank; invitations refuses more).
 */
#ifndef AMB_IPC_PROTOCOL_H
#define AMB_IPC_PROTOCOL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ipc/auth.h"
#include "ipc/invite_book.h"
#include "ipc/served.h"

#define PROTO_MAX_REQUEST   (64 * 1024)
#define PROTO_MAX_DEPTH     32
#define PROTO_LIMIT_DEFAULT 20
#define PROTO_LIMIT_MAX     1000

/* Records an invitation status durably (the server: a worker's own store
 * handle); status "none" resets it, with `reason` (NULL otherwise allowed).
 * Returns 0 with the person's pid, ERR_NOT_FOUND, ERR_FORBIDDEN or
 * ERR_INVALID (refused; err_msg() says why), or another err_code (then the
 * reply is `internal`, or `unavailable` for ERR_BUSY). */
typedef int (*proto_set_status_fn)(void *ctx, const char *employee_id, const char *status,
                                   const char *reason, const char *by, int64_t at,
                                   int64_t *out_pid);

struct proto_env {
	served *snap;         /* borrowed; NULL when no scores exist yet */
	invite_book *invites; /* borrowed; may be NULL only when snap is NULL */
	enum ipc_role role;
	const char *client; /* the caller's name, recorded as `by` */
	int64_t now;
	proto_set_status_fn set_status;
	void *set_ctx;
	bool clients_stale; /* ping reports that the clients file failed to reload */
	bool audit_failing; /* the audit log cannot be written: only ping is answered */
	bool writes_full;   /* the writer's queue is full: writes get `unavailable` */
};

struct proto_result {
	char *reply; /* malloc'ed JSON text; owned by the result */
	size_t len;
	char op[32];        /* the op, "-" when the request named none we know */
	const char *status; /* "ok" or the error code (static) */
	int64_t people;     /* how many people the reply lists */
};

/* Answer one request. Never fails: every problem becomes an error reply.
 * Free the result with proto_result_free. */
void proto_handle(const struct proto_env *env, const void *body, size_t len,
                  struct proto_result *out);
void proto_result_free(struct proto_result *r);

/* True when an ok reply of `op` is a pure function of (snapshot, role,
 * request bytes), so the server may answer the same request again from a
 * per-snapshot cache (ping, rank, candidates, explain); false for ops
 * that read the clock or the invitation book, or change state. */
bool proto_op_cacheable(const char *op);

/* True when the request names an op that writes (invitation_status): the
 * server hands it to its writer thread. A request that does not decode is
 * not a write (any worker answers its error). */
bool proto_is_write(const void *body, size_t len);

/* The reply cache's key for a request that carries an `id`: the request
 * without it, compact with sorted keys (*canon), and the id as JSON text
 * (*id_text); both malloc'ed. Returns 1 then; 0 when the request has no
 * id (the raw bytes are the key); -1 when it would not decode (not cached).
 * Replies put `id` last, so a cached reply is stored without it
 * (proto_reply_without_id; NULL when the reply does not end in that id)
 * and each requester's id is put back (proto_reply_with_id). Both return
 * malloc'ed text with its length in *out_len. */
int proto_cache_key(const void *body, size_t len, char **canon, char **id_text);
char *proto_reply_without_id(const char *reply, size_t len, const char *id_text, size_t *out_len);
char *proto_reply_with_id(const char *reply, size_t len, const char *id_text, size_t *out_len);

/* An error reply built without a request (the server's frame checks):
 * malloc'ed JSON, length in *out_len. code must be one of docs/design.md, Contract 5.2. */
char *proto_error_reply(const char *code, const char *message, size_t *out_len);
/* The same with error.retry_after_ms when retry_ms > 0 (rate_limited). */
char *proto_error_reply_retry(const char *code, const char *message, int64_t retry_ms,
                              size_t *out_len);

/* 0 when the text nests at most max_depth levels of [ and { outside
 * strings; -1 otherwise. */
int proto_depth_ok(const char *text, size_t len, int max_depth);

/* The intranet oracle: 0 when the JSON text holds none of the keys the
 * intranet may never see (score, rank, components, reason, answers, ...)
 * at any depth, and every invitations item has exactly employee_id, name,
 * email and department; -1 otherwise. The server applies it to every
 * intranet reply before sending. */
int proto_intranet_check(const char *json, size_t len);

/* 1 when `json` is a reply object with "ok": true, else 0. */
int proto_reply_ok(const char *json, size_t len);

/* One line per op for --help and docs: "name (roles): help". */
void proto_describe_ops(void (*fn)(void *ctx, const char *line), void *ctx);

#endif
