/* auth.h - roles, the CURVE client allowlist (CLIENTS.csv) and the ZAP
 * handler that enforces it.
 *
 * CLIENTS.csv has a header row and the columns public_key (40 characters of
 * Z85), role (hr or intranet) and name (1-64 printable characters: the
 * client's name in the audit log). Any problem - a bad key, an unknown
 * role, a duplicate key, a missing or extra column - is an error naming
 * file:line, and the server does not start.
 *
 * The ZAP handler (its own thread and REP socket on inproc://zeromq.zap.01)
 * admits a CURVE client only when its key is listed, and sets the
 * connection's User-Id to the key in Z85. The server looks each message's
 * User-Id up in the live allowlist, so a reload (SIGHUP) that removes a key
 * refuses that client's next message even on an open connection.
 */
#ifndef AMB_IPC_AUTH_H
#define AMB_IPC_AUTH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum ipc_role {
	ROLE_NONE = 0,
	ROLE_HR = 1 << 0,
	ROLE_INTRANET = 1 << 1,
};

/* "hr" / "intranet" -> role; ROLE_NONE for anything else. */
enum ipc_role ipc_role_parse(const char *s);
const char *ipc_role_name(enum ipc_role role);

/* The ZAP domain the server sets (ZMQ_ZAP_DOMAIN) and the handler checks. */
#define IPC_ZAP_DOMAIN "ambassador"

typedef struct ipc_allowlist ipc_allowlist;

/* Parse a clients file held in memory; `name` appears in messages. Returns
 * 0 or ERR_INVALID ("name:line: reason"). */
int ipc_allowlist_parse(ipc_allowlist **out, const char *name, const void *data, size_t len);
/* Read and parse `path`. ERR_IO when it cannot be read. */
int ipc_allowlist_load(ipc_allowlist **out, const char *path);
void ipc_allowlist_destroy(ipc_allowlist **a);
size_t ipc_allowlist_count(const ipc_allowlist *a);
/* Look a Z85 public key up: true and its role and name (borrowed). */
bool ipc_allowlist_lookup(const ipc_allowlist *a, const char *z85, enum ipc_role *out_role,
                          const char **out_name);

/* The ZAP decision for one request, for the handler and for tests: "200"
 * with user_id (41 bytes) set to the Z85 key, or "400". Only mechanism
 * CURVE in domain IPC_ZAP_DOMAIN with a listed 32-byte key gets in. */
const char *ipc_zap_decide(const ipc_allowlist *a, const char *domain, const char *mechanism,
                           const uint8_t *key, size_t keylen, char user_id[41]);

/* The same decision for one ZAP request as it arrives, n frames (RFC 27:
 * version, request id, domain, address, identity, mechanism, then the
 * credentials; the handler keeps the first 8). Frame i is frames[i] of
 * lens[i] bytes; a text frame is read up to its first NUL. A version other
 * than "1.0", or too few frames, is "400". Pure: no sockets, no lock (the
 * handler holds its own around the call). */
const char *ipc_zap_decide_frames(const ipc_allowlist *a, const void *const frames[],
                                  const size_t lens[], size_t n, char user_id[41]);

typedef struct ipc_auth ipc_auth;

/* Load `clients_path` and, when start_zap, bind the ZAP handler in zmq
 * context `zctx` and start its thread (tests pass false to prove the
 * server fails closed without it). Returns 0, ERR_INVALID, ERR_IO or
 * ERR_INTERNAL. */
int ipc_auth_new(ipc_auth **out, void *zctx, const char *clients_path, bool start_zap);
/* Re-read the clients file; on error the old list stays and the error is
 * returned. */
int ipc_auth_reload(ipc_auth *a);
/* Role and name (copied into name, size namesz) of a User-Id, from the live
 * list; false when the key is not (or no longer) listed. */
bool ipc_auth_lookup(ipc_auth *a, const char *user_id, enum ipc_role *out_role, char *name,
                     size_t namesz);
/* A refused key's fingerprint: the first characters of its Z85 text. */
#define IPC_FINGERPRINT_LEN 8

/* The ZAP handler remembers the fingerprint of each key it refuses (the
 * last 64, oldest dropped first) instead of logging it; the server takes
 * them, oldest first, as the ROUTER's monitor reports the refused
 * handshakes, and logs them (rate-limited). fp gets the fingerprint and a
 * NUL ("none" when the client sent no key); false when none is waiting. */
bool ipc_auth_take_refusal(ipc_auth *a, char fp[IPC_FINGERPRINT_LEN + 1]);

/* Stop the handler thread and free everything; accepts NULL. Call before
 * zmq_ctx_term. */
void ipc_auth_destroy(ipc_auth **a);

/* Read a key file written by `ambassador keygen`: the first line that is
 * not empty and not a # comment, which must be 40 characters of Z85.
 * out gets the 40 characters and a NUL. */
int ipc_key_read(const char *path, char out[41]);

/* 0 when the secret key file at `path` is readable by its owner only;
 * ERR_USAGE naming the mode and the chmod that fixes it otherwise (a
 * secret key others can read is no secret: refused, as ssh does), ERR_IO
 * when it cannot be looked at. */
int ipc_key_check_private(const char *path);

/* A new CurveZMQ key pair in Z85 (40 characters and a NUL each). */
int ipc_keypair(char pub[41], char secret[41]);

#endif
