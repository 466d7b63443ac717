/* test_auth.c - the clients file, the ZAP decision, loopback-only binding,
 * key files, and a live CURVE handshake over ipc:// proving the ZAP
 * handler admits listed keys only and that the server fails closed
 * without it. */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zmq.h>

#include "core/err.h"
#include "ipc/auth.h"
#include "ipc/server.h"
#include "tests/support/testutil.h"

/* Fixed test keys (the libzmq test vectors, public only used here). */
#define KEY_A "Yne@$w-vo<fVvi]a<NY6T1ed:M$fCG*[IaLV{hID"
#define KEY_B "rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7"

static ipc_allowlist *parse_text(const char *text, int *rc)
{
	ipc_allowlist *a = NULL;

	*rc = ipc_allowlist_parse(&a, "clients.csv", text, strlen(text));
	return a;
}

Test(auth, a_valid_clients_file_maps_keys_to_roles_and_names)
{
	int rc;
	ipc_allowlist *a = parse_text("public_key,role,name\n" KEY_A ",hr,hr-portal\n" KEY_B
	                              ",intranet,\"intranet, prod\"\n",
	                              &rc);
	enum ipc_role role;
	const char *name;

	cr_assert(eq(int, rc, 0), "%s", err_msg());
	cr_assert(eq(sz, ipc_allowlist_count(a), 2));
	cr_assert(ipc_allowlist_lookup(a, KEY_B, &role, &name));
	cr_assert(eq(int, role, ROLE_INTRANET));
	cr_assert(eq(str, (char *)name, "intranet, prod"));
	cr_assert(not(ipc_allowlist_lookup(a, "nope", &role, &name)));
	ipc_allowlist_destroy(&a);
	cr_assert(eq(ptr, a, NULL));
}

Test(auth, columns_may_come_in_any_order_with_a_bom_and_crlf)
{
	int rc;
	ipc_allowlist *a =
	    parse_text("\xef\xbb\xbfName,Role,Public_Key\r\nportal,hr," KEY_A "\r\n", &rc);

	cr_assert(eq(int, rc, 0), "%s", err_msg());
	cr_assert(eq(sz, ipc_allowlist_count(a), 1));
	ipc_allowlist_destroy(&a);
}

static void expect_bad(const char *text, const char *where)
{
	int rc;
	ipc_allowlist *a = parse_text(text, &rc);

	cr_assert(eq(int, rc, ERR_INVALID), "accepted: %s", text);
	cr_assert(eq(ptr, a, NULL));
	cr_assert(not(eq(ptr, strstr(err_msg(), where), NULL)), "message '%s' lacks '%s'",
	          err_msg(), where);
}

Test(auth, a_malformed_clients_file_is_refused_with_file_and_line)
{
	expect_bad("public_key,role,name\n" KEY_A ",hr,a\nnot-a-key,hr,b\n", "clients.csv:3");
	expect_bad("public_key,role,name\n" KEY_A ",admin,a\n", "clients.csv:2");
	expect_bad("public_key,role,name\n" KEY_A ",hr,a\n" KEY_A ",intranet,b\n",
	           "clients.csv:3: duplicate");
	expect_bad("public_key,role,name\n" KEY_A ",hr\n", "clients.csv:2");
	expect_bad("public_key,role,name\n" KEY_A ",hr,a,extra\n", "clients.csv:2");
	expect_bad("key,role,name\n" KEY_A ",hr,a\n", "clients.csv:1");
	expect_bad("public_key,role\n" KEY_A ",hr\n", "clients.csv:1");
	expect_bad("", "clients.csv");
	expect_bad("public_key,role,name\n" KEY_A ",hr,\n", "clients.csv:2");
	/* 40 characters but not Z85 ('"' is outside the alphabet) */
	expect_bad("public_key,role,name\n\"Yne@$w-vo<fVvi]a<NY6T1ed:M$fCG*[IaLV{hI\"\"\",hr,a\n",
	           "clients.csv:2");
}

Test(auth, the_zap_decision_admits_only_listed_curve_keys_in_our_domain)
{
	int rc;
	ipc_allowlist *a = parse_text("public_key,role,name\n" KEY_A ",hr,a\n", &rc);
	uint8_t ka[32], kb[32];
	char uid[41];

	cr_assert(not(eq(ptr, zmq_z85_decode(ka, KEY_A), NULL)));
	cr_assert(not(eq(ptr, zmq_z85_decode(kb, KEY_B), NULL)));
	cr_assert(eq(str, (char *)ipc_zap_decide(a, IPC_ZAP_DOMAIN, "CURVE", ka, 32, uid), "200"));
	cr_assert(eq(str, uid, KEY_A));
	cr_assert(eq(str, (char *)ipc_zap_decide(a, IPC_ZAP_DOMAIN, "CURVE", kb, 32, uid), "400"));
	cr_assert(eq(str, uid, ""));
	cr_assert(eq(str, (char *)ipc_zap_decide(a, "other", "CURVE", ka, 32, uid), "400"));
	cr_assert(eq(str, (char *)ipc_zap_decide(a, IPC_ZAP_DOMAIN, "PLAIN", ka, 32, uid), "400"));
	cr_assert(eq(str, (char *)ipc_zap_decide(a, IPC_ZAP_DOMAIN, "NULL", NULL, 0, uid), "400"));
	cr_assert(eq(str, (char *)ipc_zap_decide(a, IPC_ZAP_DOMAIN, "CURVE", ka, 31, uid), "400"));
	ipc_allowlist_destroy(&a);
}

Test(auth, without_curve_only_loopback_and_ipc_endpoints_are_accepted)
{
	const char *good[] = {"tcp://127.0.0.1:5555", "tcp://127.0.0.1:*", "tcp://127.1.2.3:9",
	                      "tcp://localhost:5555", "tcp://[::1]:5555",  "ipc:///tmp/x.sock"};
	const char *bad[] = {"tcp://0.0.0.0:5555",
	                     "tcp://*:5555",
	                     "tcp://10.0.0.1:5555",
	                     "tcp://eth0:5555",
	                     "tcp://127.0.0.1.evil.com:1",
	                     "tcp://[::]:5555",
	                     "ws://127.0.0.1:1",
	                     "inproc://x",
	                     "tcp://127.0.0.1",
	                     "ipc://",
	                     "tcp://localhost.evil:1"};

	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		cr_assert(eq(int, ipc_endpoint_local(good[i]), 0), "%s refused", good[i]);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		cr_assert(eq(int, ipc_endpoint_local(bad[i]), ERR_USAGE), "%s accepted", bad[i]);
}

Test(auth, key_files_skip_comments_and_refuse_junk)
{
	char *dir = tu_tempdir();
	char *good = tu_write(dir, "k.pub", "# server key\n\n" KEY_A "\n");
	char *bad = tu_write(dir, "bad.pub", "hello\n");
	char key[41];

	cr_assert(eq(int, ipc_key_read(good, key), 0));
	cr_assert(eq(str, key, KEY_A));
	cr_assert(eq(int, ipc_key_read(bad, key), ERR_INVALID));
	free(good);
	free(bad);
	tu_rmrf(dir);
	free(dir);
}

/* --- a live handshake ----------------------------------------------------- */

struct live {
	char *dir, *endpoint, *clients;
	void *ctx, *server;
	ipc_auth *auth;
	char server_pub[41], server_sec[41];
	char a_pub[41], a_sec[41]; /* listed, hr */
	char b_pub[41], b_sec[41]; /* not listed */
};

static void live_start(struct live *l, bool zap)
{
	int one = 1, linger = 0;
	char text[256];

	l->dir = tu_tempdir();
	cr_assert(asprintf(&l->endpoint, "ipc://%s/s.sock", l->dir) > 0);
	cr_assert(eq(int, ipc_keypair(l->server_pub, l->server_sec), 0));
	cr_assert(eq(int, ipc_keypair(l->a_pub, l->a_sec), 0));
	cr_assert(eq(int, ipc_keypair(l->b_pub, l->b_sec), 0));
	snprintf(text, sizeof(text), "public_key,role,name\n%s,hr,listed\n", l->a_pub);
	l->clients = tu_write(l->dir, "clients.csv", text);
	l->ctx = zmq_ctx_new();
	cr_assert(eq(int, ipc_auth_new(&l->auth, l->ctx, l->clients, zap), 0), "%s", err_msg());
	l->server = zmq_socket(l->ctx, ZMQ_ROUTER);
	zmq_setsockopt(l->server, ZMQ_LINGER, &linger, sizeof(linger));
	zmq_setsockopt(l->server, ZMQ_CURVE_SERVER, &one, sizeof(one));
	zmq_setsockopt(l->server, ZMQ_CURVE_SECRETKEY, l->server_sec, 40);
	zmq_setsockopt(l->server, ZMQ_ZAP_DOMAIN, IPC_ZAP_DOMAIN, strlen(IPC_ZAP_DOMAIN));
	cr_assert(eq(
	    int, zmq_setsockopt(l->server, 93 /* ZMQ_ZAP_ENFORCE_DOMAIN */, &one, sizeof(one)), 0));
	cr_assert(eq(int, zmq_bind(l->server, l->endpoint), 0));
}

static void live_stop(struct live *l)
{
	zmq_close(l->server);
	ipc_auth_destroy(&l->auth);
	zmq_ctx_term(l->ctx);
	tu_rmrf(l->dir);
	free(l->dir);
	free(l->endpoint);
	free(l->clients);
}

/* Connect a DEALER with (pub, sec), send "hi"; true when the server got it
 * within 1.5 s; its User-Id goes to uid. */
static bool try_client(struct live *l, const char *pub, const char *sec, char uid[64])
{
	void *c = zmq_socket(l->ctx, ZMQ_DEALER);
	int linger = 0;
	bool got = false;
	zmq_pollitem_t it = {l->server, 0, ZMQ_POLLIN, 0};

	zmq_setsockopt(c, ZMQ_LINGER, &linger, sizeof(linger));
	zmq_setsockopt(c, ZMQ_CURVE_SERVERKEY, l->server_pub, 40);
	zmq_setsockopt(c, ZMQ_CURVE_PUBLICKEY, pub, 40);
	zmq_setsockopt(c, ZMQ_CURVE_SECRETKEY, sec, 40);
	cr_assert(eq(int, zmq_connect(c, l->endpoint), 0));
	zmq_send(c, "hi", 2, ZMQ_DONTWAIT);
	uid[0] = '\0';
	if (zmq_poll(&it, 1, 1500) > 0) {
		zmq_msg_t id, body;
		zmq_msg_init(&id);
		zmq_msg_init(&body);
		zmq_msg_recv(&id, l->server, 0);
		zmq_msg_recv(&body, l->server, 0);
		const char *u = zmq_msg_gets(&body, "User-Id");
		snprintf(uid, 64, "%s", u ? u : "");
		zmq_msg_close(&id);
		zmq_msg_close(&body);
		got = true;
	}
	zmq_close(c);
	return got;
}

Test(auth, the_zap_handler_lets_listed_keys_in_with_their_key_as_user_id, .timeout = 20)
{
	struct live l = {0};
	char uid[64];
	enum ipc_role role;
	char name[65];

	live_start(&l, true);
	cr_assert(try_client(&l, l.a_pub, l.a_sec, uid), "a listed client was refused");
	cr_assert(eq(str, uid, l.a_pub));
	cr_assert(ipc_auth_lookup(l.auth, uid, &role, name, sizeof(name)));
	cr_assert(eq(int, role, ROLE_HR));
	cr_assert(eq(str, name, "listed"));
	cr_assert(not(try_client(&l, l.b_pub, l.b_sec, uid)), "an unlisted client got through");
	live_stop(&l);
}

Test(auth, without_a_zap_handler_even_a_listed_key_is_refused, .timeout = 20)
{
	struct live l = {0};
	char uid[64];

	live_start(&l, false);
	cr_assert(not(try_client(&l, l.a_pub, l.a_sec, uid)), "fail-open without ZAP handler");
	live_stop(&l);
}

Test(auth, a_reload_that_drops_a_key_revokes_it, .timeout = 20)
{
	struct live l = {0};
	char uid[64], name[65];
	enum ipc_role role;
	char *path;

	live_start(&l, true);
	cr_assert(try_client(&l, l.a_pub, l.a_sec, uid));
	path = tu_write(l.dir, "clients.csv", "public_key,role,name\n");
	cr_assert(eq(int, ipc_auth_reload(l.auth), 0), "%s", err_msg());
	cr_assert(not(ipc_auth_lookup(l.auth, uid, &role, name, sizeof(name))));
	cr_assert(not(try_client(&l, l.a_pub, l.a_sec, uid)));
	/* a broken file keeps the old list */
	free(tu_write(l.dir, "clients.csv", "garbage\n"));
	cr_assert(eq(int, ipc_auth_reload(l.auth), ERR_INVALID));
	free(path);
	live_stop(&l);
}
