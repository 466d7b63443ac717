/* auth.c - the clients allowlist and the ZAP handler.
 *
 * The allowlist is immutable once parsed; ipc_auth holds the live one
 * behind a mutex and swaps in a new one on reload. The ZAP thread owns its
 * REP socket (bound here, before the thread starts, so the handler exists
 * before the server socket accepts anyone) and stops when `stop` is set.
 */
#include "ipc/auth.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <zmq.h>

#include "core/csv.h"
#include "core/err.h"
#include "core/log.h"
#include "core/mem.h"

enum ipc_role ipc_role_parse(const char *s)
{
	if (s && strcmp(s, "hr") == 0)
		return ROLE_HR;
	if (s && strcmp(s, "intranet") == 0)
		return ROLE_INTRANET;
	return ROLE_NONE;
}

const char *ipc_role_name(enum ipc_role role)
{
	switch (role) {
	case ROLE_HR: return "hr";
	case ROLE_INTRANET: return "intranet";
	default: return "none";
	}
}

/* --- allowlist -------------------------------------------------------------- */

struct client_entry {
	char key[41];
	enum ipc_role role;
	char name[65];
};

struct ipc_allowlist {
	struct client_entry *v;
	size_t n, cap;
};

static bool valid_z85_key(const char *s, size_t len)
{
	uint8_t raw[32];

	return len == 40 && zmq_z85_decode(raw, s) != NULL;
}

static bool valid_name(const char *s, size_t len)
{
	if (len == 0 || len > 64)
		return false;
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return false;
	return true;
}

static int parse_header(const struct csv_row *h, const char *name, int cols[3])
{
	static const char *const want[] = {"public_key", "role", "name"};

	if (h->count != 3)
		return err_set(ERR_INVALID, "%s:%lld: the header must be public_key,role,name",
		               name, (long long)h->line);
	for (int i = 0; i < 3; i++) {
		cols[i] = csv_header_find(h, want[i]);
		if (cols[i] < 0)
			return err_set(ERR_INVALID, "%s:%lld: missing column %s", name,
			               (long long)h->line, want[i]);
	}
	return 0;
}

static int add_entry(ipc_allowlist *a, const char *name, const struct csv_row *r, const int cols[3])
{
	const char *key = r->fields[cols[0]], *role = r->fields[cols[1]],
	           *cname = r->fields[cols[2]];
	struct client_entry *e;

	if (!valid_z85_key(key, r->lens[cols[0]]))
		return err_set(ERR_INVALID, "%s:%lld: public_key is not a 40-character Z85 key",
		               name, (long long)r->line);
	if (ipc_role_parse(role) == ROLE_NONE)
		return err_set(ERR_INVALID, "%s:%lld: role must be hr or intranet", name,
		               (long long)r->line);
	if (!valid_name(cname, r->lens[cols[2]]))
		return err_set(ERR_INVALID, "%s:%lld: name must be 1-64 printable characters", name,
		               (long long)r->line);
	for (size_t i = 0; i < a->n; i++)
		if (strcmp(a->v[i].key, key) == 0)
			return err_set(ERR_INVALID, "%s:%lld: duplicate public_key (also for %s)",
			               name, (long long)r->line, a->v[i].name);
	if (a->n == a->cap) {
		a->cap = a->cap ? a->cap * 2 : 8;
		a->v = xreallocarray(a->v, a->cap, sizeof(*a->v));
	}
	e = &a->v[a->n++];
	memcpy(e->key, key, 41);
	e->role = ipc_role_parse(role);
	snprintf(e->name, sizeof(e->name), "%s", cname);
	return 0;
}

static int parse_rows(ipc_allowlist *a, csv_reader *r, const char *name)
{
	struct csv_row row;
	int cols[3], rc;

	if ((rc = csv_reader_next(r, &row)) < 0)
		return rc;
	if (rc == 0)
		return err_set(ERR_INVALID, "%s:1: empty file (want a header public_key,role,name)",
		               name);
	if ((rc = parse_header(&row, name, cols)))
		return rc;
	while ((rc = csv_reader_next(r, &row)) == 1)
		if ((rc = add_entry(a, name, &row, cols)))
			return rc;
	return rc;
}

int ipc_allowlist_parse(ipc_allowlist **out, const char *name, const void *data, size_t len)
{
	struct csv_reader_opts opts = {.max_field = 1024, .max_columns = 16};
	ipc_allowlist *a = xcalloc(1, sizeof(*a));
	csv_reader *r = NULL;
	int rc;

	*out = NULL;
	if ((rc = csv_reader_open_mem(&r, name, data, len, &opts)) == 0)
		rc = parse_rows(a, r, name);
	csv_reader_close(&r);
	if (rc) {
		/* The CSV reader's own messages already say name:line:col. */
		if (rc != ERR_INVALID)
			rc = err_set(ERR_INVALID, "%s", err_msg());
		ipc_allowlist_destroy(&a);
		return rc;
	}
	*out = a;
	return 0;
}

int ipc_allowlist_load(ipc_allowlist **out, const char *path)
{
	FILE *f = fopen(path, "rb");
	struct buf b = {0};
	char chunk[4096];
	size_t n;
	int rc;

	*out = NULL;
	if (!f)
		return err_set(ERR_IO, "cannot read %s: %s", path, strerror(errno));
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0 && b.len < (1u << 24))
		buf_append(&b, chunk, n);
	fclose(f);
	rc = ipc_allowlist_parse(out, path, b.data ? b.data : "", b.len);
	buf_free(&b);
	return rc;
}

void ipc_allowlist_destroy(ipc_allowlist **ap)
{
	ipc_allowlist *a = ap ? *ap : NULL;

	if (!a)
		return;
	free(a->v);
	free(a);
	*ap = NULL;
}

size_t ipc_allowlist_count(const ipc_allowlist *a)
{
	return a ? a->n : 0;
}

bool ipc_allowlist_lookup(const ipc_allowlist *a, const char *z85, enum ipc_role *out_role,
                          const char **out_name)
{
	for (size_t i = 0; a && z85 && i < a->n; i++) {
		if (strcmp(a->v[i].key, z85) == 0) {
			*out_role = a->v[i].role;
			*out_name = a->v[i].name;
			return true;
		}
	}
	return false;
}

const char *ipc_zap_decide(const ipc_allowlist *a, const char *domain, const char *mechanism,
                           const uint8_t *key, size_t keylen, char user_id[41])
{
	enum ipc_role role;
	const char *name;

	user_id[0] = '\0';
	if (!domain || strcmp(domain, IPC_ZAP_DOMAIN) != 0 || !mechanism ||
	    strcmp(mechanism, "CURVE") != 0 || !key || keylen != 32)
		return "400";
	if (!zmq_z85_encode(user_id, key, 32))
		return "400";
	if (!ipc_allowlist_lookup(a, user_id, &role, &name)) {
		user_id[0] = '\0';
		return "400";
	}
	return "200";
}

const char *ipc_zap_decide_frames(const ipc_allowlist *a, const void *const frames[],
                                  const size_t lens[], size_t n, char user_id[41])
{
	char *version = n > 0 ? xstrndup(frames[0], lens[0]) : xstrdup("");
	char *domain = n > 2 ? xstrndup(frames[2], lens[2]) : xstrdup("");
	char *mech = n > 5 ? xstrndup(frames[5], lens[5]) : xstrdup("");
	const uint8_t *key = n > 6 ? frames[6] : NULL;
	size_t keylen = n > 6 ? lens[6] : 0;
	const char *status;

	user_id[0] = '\0';
	status = strcmp(version, "1.0") == 0 ? ipc_zap_decide(a, domain, mech, key, keylen, user_id)
	                                     : "400";
	free(version);
	free(domain);
	free(mech);
	return status;
}

/* --- live list and ZAP thread --------------------------------------------- */

struct ipc_auth {
	pthread_mutex_t mu;
	ipc_allowlist *list; /* owned; replaced on reload */
	char *path;
	void *zap; /* REP socket, owned by the ZAP thread once started */
	pthread_t thread;
	bool running;
	atomic_bool stop;
	/* Fingerprints of refused keys not yet taken by the server (under mu). */
	char refused[64][IPC_FINGERPRINT_LEN + 1];
	size_t refused_head, refused_n;
};

int ipc_auth_reload(ipc_auth *a)
{
	ipc_allowlist *fresh = NULL, *old;
	int rc = ipc_allowlist_load(&fresh, a->path);

	if (rc)
		return rc;
	pthread_mutex_lock(&a->mu);
	old = a->list;
	a->list = fresh;
	pthread_mutex_unlock(&a->mu);
	ipc_allowlist_destroy(&old);
	return 0;
}

bool ipc_auth_lookup(ipc_auth *a, const char *user_id, enum ipc_role *out_role, char *name,
                     size_t namesz)
{
	const char *n;
	bool found;

	pthread_mutex_lock(&a->mu);
	found = ipc_allowlist_lookup(a->list, user_id, out_role, &n);
	if (found)
		snprintf(name, namesz, "%s", n);
	pthread_mutex_unlock(&a->mu);
	return found;
}

/* A refused key is kept by fingerprint only (its first 8 Z85 characters)
 * for the server to log when the handshake failure is reported. */
static void log_refusal(ipc_auth *a, const uint8_t *key, size_t keylen, const char *mech)
{
	char z85[41] = "";
	size_t slot;

	(void)mech;
	if (key && keylen == 32)
		zmq_z85_encode(z85, key, 32);
	pthread_mutex_lock(&a->mu);
	if (a->refused_n == 64) { /* nobody is taking them: drop the oldest */
		a->refused_head = (a->refused_head + 1) % 64;
		a->refused_n--;
	}
	slot = (a->refused_head + a->refused_n++) % 64;
	snprintf(a->refused[slot], sizeof(a->refused[slot]), "%.*s", IPC_FINGERPRINT_LEN,
	         z85[0] ? z85 : "none");
	pthread_mutex_unlock(&a->mu);
}

bool ipc_auth_take_refusal(ipc_auth *a, char fp[IPC_FINGERPRINT_LEN + 1])
{
	bool got;

	pthread_mutex_lock(&a->mu);
	got = a->refused_n > 0;
	if (got) {
		memcpy(fp, a->refused[a->refused_head], IPC_FINGERPRINT_LEN + 1);
		a->refused_head = (a->refused_head + 1) % 64;
		a->refused_n--;
	}
	pthread_mutex_unlock(&a->mu);
	return got;
}

/* Receive one ZAP request (up to 8 frames; extra frames are drained). */
static int zap_recv(void *sock, zmq_msg_t frames[8], int *count)
{
	int more = 1, n = 0;

	while (more) {
		zmq_msg_t m;
		zmq_msg_init(&m);
		if (zmq_msg_recv(&m, sock, 0) < 0) {
			zmq_msg_close(&m);
			for (int i = 0; i < n; i++)
				zmq_msg_close(&frames[i]);
			return -1;
		}
		more = zmq_msg_more(&m);
		if (n < 8)
			frames[n++] = m;
		else
			zmq_msg_close(&m);
	}
	*count = n;
	return 0;
}

static char *frame_str(zmq_msg_t *m)
{
	return xstrndup(zmq_msg_data(m), zmq_msg_size(m));
}

static void zap_answer(ipc_auth *a, void *sock, zmq_msg_t frames[8], int n)
{
	const void *data[8];
	size_t lens[8];
	char *mech = n > 5 ? frame_str(&frames[5]) : xstrdup("");
	const uint8_t *key = n > 6 ? zmq_msg_data(&frames[6]) : NULL;
	size_t keylen = n > 6 ? zmq_msg_size(&frames[6]) : 0;
	char user_id[41];
	const char *status;

	for (int i = 0; i < n && i < 8; i++) {
		data[i] = zmq_msg_data(&frames[i]);
		lens[i] = zmq_msg_size(&frames[i]);
	}
	pthread_mutex_lock(&a->mu);
	status = ipc_zap_decide_frames(a->list, data, lens, (size_t)(n < 8 ? n : 8), user_id);
	pthread_mutex_unlock(&a->mu);
	if (strcmp(status, "200") != 0) {
		user_id[0] = '\0';
		log_refusal(a, key, keylen, mech);
	}
	zmq_send(sock, "1.0", 3, ZMQ_SNDMORE);
	if (n > 1)
		zmq_send(sock, zmq_msg_data(&frames[1]), zmq_msg_size(&frames[1]), ZMQ_SNDMORE);
	else
		zmq_send(sock, "", 0, ZMQ_SNDMORE);
	zmq_send(sock, status, 3, ZMQ_SNDMORE);
	zmq_send(sock, status[0] == '2' ? "OK" : "not allowed", status[0] == '2' ? 2 : 11,
	         ZMQ_SNDMORE);
	zmq_send(sock, user_id, strlen(user_id), ZMQ_SNDMORE);
	zmq_send(sock, "", 0, 0);
	free(mech);
}

static void *zap_thread(void *arg)
{
	ipc_auth *a = arg;

	while (!atomic_load(&a->stop)) {
		zmq_pollitem_t item = {a->zap, 0, ZMQ_POLLIN, 0};
		zmq_msg_t frames[8];
		int n;

		if (zmq_poll(&item, 1, 100) <= 0 || !(item.revents & ZMQ_POLLIN))
			continue;
		if (zap_recv(a->zap, frames, &n) != 0)
			continue;
		zap_answer(a, a->zap, frames, n);
		for (int i = 0; i < n; i++)
			zmq_msg_close(&frames[i]);
	}
	zmq_close(a->zap);
	a->zap = NULL;
	return NULL;
}

int ipc_auth_new(ipc_auth **out, void *zctx, const char *clients_path, bool start_zap)
{
	ipc_auth *a = xcalloc(1, sizeof(*a));
	int rc, linger = 0;

	*out = NULL;
	pthread_mutex_init(&a->mu, NULL);
	a->path = xstrdup(clients_path);
	atomic_init(&a->stop, false);
	if ((rc = ipc_allowlist_load(&a->list, clients_path)))
		goto fail;
	if (start_zap) {
		a->zap = zmq_socket(zctx, ZMQ_REP);
		if (!a->zap || zmq_setsockopt(a->zap, ZMQ_LINGER, &linger, sizeof(linger)) != 0 ||
		    zmq_bind(a->zap, "inproc://zeromq.zap.01") != 0) {
			rc = err_set(ERR_INTERNAL, "cannot start the ZAP handler: %s",
			             zmq_strerror(zmq_errno()));
			goto fail;
		}
		if (pthread_create(&a->thread, NULL, zap_thread, a) != 0) {
			rc = err_set(ERR_INTERNAL, "cannot start the ZAP thread");
			goto fail;
		}
		a->running = true;
	}
	*out = a;
	return 0;
fail:
	ipc_auth_destroy(&a);
	return rc;
}

void ipc_auth_destroy(ipc_auth **ap)
{
	ipc_auth *a = ap ? *ap : NULL;

	if (!a)
		return;
	if (a->running) {
		atomic_store(&a->stop, true);
		pthread_join(a->thread, NULL);
	}
	if (a->zap)
		zmq_close(a->zap);
	ipc_allowlist_destroy(&a->list);
	pthread_mutex_destroy(&a->mu);
	free(a->path);
	free(a);
	*ap = NULL;
}

int ipc_key_check_private(const char *path)
{
	struct stat st;

	if (stat(path, &st) != 0)
		return err_set(ERR_IO, "cannot read %s: %s", path, strerror(errno));
	if (st.st_mode & 077)
		return err_set(ERR_USAGE,
		               "secret key %s may be read by others (mode %04o); run: chmod 600 %s",
		               path, (unsigned)(st.st_mode & 07777), path);
	return 0;
}

int ipc_key_read(const char *path, char out[41])
{
	FILE *f = fopen(path, "r");
	char line[256];
	int rc = ERR_INVALID;

	out[0] = '\0';
	if (!f)
		return err_set(ERR_IO, "cannot read %s: %s", path, strerror(errno));
	while (fgets(line, sizeof(line), f)) {
		size_t len = strcspn(line, "\r\n");
		line[len] = '\0';
		while (len && (line[len - 1] == ' ' || line[len - 1] == '\t'))
			line[--len] = '\0';
		if (len == 0 || line[0] == '#')
			continue;
		if (valid_z85_key(line, len)) {
			memcpy(out, line, 41);
			rc = 0;
		}
		break;
	}
	fclose(f);
	if (rc)
		return err_set(ERR_INVALID, "%s: no 40-character Z85 key found", path);
	return 0;
}

int ipc_keypair(char pub[41], char secret[41])
{
	if (zmq_curve_keypair(pub, secret) != 0)
		return err_set(ERR_UNSUPPORTED, "cannot make a CURVE key pair: %s",
		               zmq_strerror(zmq_errno()));
	return 0;
}
