/* endpoint.c - safe binds for the server's sockets (see endpoint.h).
 *
 * The ipc handle owns the lock file's descriptor and the two paths; the
 * libzmq socket stays the caller's.
 */
#include "ipc/endpoint.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zmq.h>

#include "core/err.h"
#include "core/log.h"
#include "core/mem.h"

#define MAX_LOCAL_ADDRS 4

struct ipc_endpoint {
	char *path; /* the socket file */
	char *lock; /* path.lock */
	int lock_fd;
	dev_t dev; /* the socket file we bound */
	ino_t ino;
};

bool ipc_endpoint_is_ipc(const char *ep)
{
	return strncmp(ep, "ipc://", 6) == 0;
}

/* --- ipc:// --------------------------------------------------------------- */

/* The directory must be ours and writable by nobody else: whoever can
 * write to it can replace the socket with their own. */
static int check_dir(const char *path)
{
	const char *slash = strrchr(path, '/');
	char *dir =
	    slash ? xstrndup(path, slash == path ? 1 : (size_t)(slash - path)) : xstrdup(".");
	struct stat st;
	int rc = 0;

	if (stat(dir, &st) != 0)
		rc = err_set(ERR_USAGE, "cannot use ipc directory %s: %s", dir, strerror(errno));
	else if (!S_ISDIR(st.st_mode))
		rc = err_set(ERR_USAGE, "ipc directory %s is not a directory", dir);
	else if (st.st_uid != geteuid() || (st.st_mode & (S_IWGRP | S_IWOTH)))
		rc = err_set(ERR_USAGE,
		             "the directory of an ipc socket must belong to this user and be "
		             "writable by no one else, which %s is not; use a directory of the "
		             "service's own (mkdir -m 700 DIR) or run: chmod go-w %s",
		             dir, dir);
	free(dir);
	return rc;
}

/* Take PATH.lock; ERR_BUSY naming the holder's pid when another server
 * holds it. The inode check after flock closes the race with a server that
 * is removing its lock file as it exits. */
static int take_lock(struct ipc_endpoint *e, const char *ep)
{
	for (int attempt = 0; attempt < 5; attempt++) {
		struct stat a, b;
		char pid[32];
		ssize_t n;

		e->lock_fd = open(e->lock, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
		if (e->lock_fd < 0)
			return err_set(ERR_IO, "cannot open lock file %s: %s", e->lock,
			               strerror(errno));
		if (flock(e->lock_fd, LOCK_EX | LOCK_NB) != 0) {
			int saved = errno;
			n = pread(e->lock_fd, pid, sizeof(pid) - 1, 0);
			pid[n > 0 ? n : 0] = '\0';
			pid[strcspn(pid, "\n")] = '\0';
			close(e->lock_fd);
			e->lock_fd = -1;
			if (saved == EWOULDBLOCK)
				return err_set(
				    ERR_BUSY,
				    "another server (pid %s) is serving %s; stop it first "
				    "or bind another path",
				    pid[0] ? pid : "?", ep);
			return err_set(ERR_IO, "cannot lock %s: %s", e->lock, strerror(saved));
		}
		if (fstat(e->lock_fd, &a) == 0 && stat(e->lock, &b) == 0 && a.st_dev == b.st_dev &&
		    a.st_ino == b.st_ino) {
			n = snprintf(pid, sizeof(pid), "%ld\n", (long)getpid());
			if (ftruncate(e->lock_fd, 0) != 0 ||
			    pwrite(e->lock_fd, pid, (size_t)n, 0) != n)
				log_warn("cannot write the pid into %s: %s", e->lock,
				         strerror(errno));
			return 0;
		}
		close(e->lock_fd); /* removed under us: take the new one */
		e->lock_fd = -1;
	}
	return err_set(ERR_BUSY, "cannot take the lock %s: it keeps changing", e->lock);
}

static int lookup_group(const char *group, gid_t *out)
{
	struct group gr, *res = NULL;
	char buf[4096];
	char *end;
	long v;

	if (getgrnam_r(group, &gr, buf, sizeof(buf), &res) == 0 && res) {
		*out = res->gr_gid;
		return 0;
	}
	errno = 0;
	v = strtol(group, &end, 10);
	if (!errno && end != group && !*end && v >= 0) {
		*out = (gid_t)v;
		return 0;
	}
	return err_set(ERR_NOT_FOUND, "--socket-group: no group named %s", group);
}

/* Mode and group of the freshly bound socket file. */
static int set_access(struct ipc_endpoint *e, const char *group)
{
	struct stat st;
	gid_t gid = 0;
	int rc;

	if (lstat(e->path, &st) != 0 || !S_ISSOCK(st.st_mode))
		return err_set(ERR_IO, "ipc socket %s missing after bind", e->path);
	e->dev = st.st_dev;
	e->ino = st.st_ino;
	if (!group)
		return chmod(e->path, 0600) == 0
		           ? 0
		           : err_set(ERR_IO, "chmod %s: %s", e->path, strerror(errno));
	if ((rc = lookup_group(group, &gid)))
		return rc;
	if (chown(e->path, (uid_t)-1, gid) != 0)
		return err_set(ERR_IO, "cannot give %s to group %s: %s", e->path, group,
		               strerror(errno));
	if (chmod(e->path, 0660) != 0)
		return err_set(ERR_IO, "chmod %s: %s", e->path, strerror(errno));
	return 0;
}

static int bind_ipc(ipc_endpoint **out, void *sock, const char *ep, const char *group)
{
	struct ipc_endpoint *e = xcalloc(1, sizeof(*e));
	const char *path = ep + 6;
	mode_t old;
	int rc;

	e->lock_fd = -1;
	if (path[0] == '@' || path[0] == '\0') {
		free(e);
		return err_set(ERR_USAGE,
		               "%s: abstract ipc sockets have no file permissions, so every local "
		               "user could connect; bind ipc:///DIR/NAME in a directory of the "
		               "service's own",
		               ep);
	}
	if (strcmp(path, "*") == 0) {
		free(e);
		return err_set(ERR_USAGE, "%s: name the socket's path (ipc:///DIR/NAME)", ep);
	}
	e->path = xstrdup(path);
	e->lock = xasprintf("%s.lock", path);
	if ((rc = check_dir(path)) || (rc = take_lock(e, ep)))
		goto fail;
	/* Created 0600 whatever the caller's umask: no moment when others may
	 * connect. Only this thread creates files while the server starts. */
	old = umask(0177);
	rc = zmq_bind(sock, ep);
	umask(old);
	if (rc != 0) {
		rc = err_set(ERR_IO, "cannot bind %s: %s", ep, zmq_strerror(zmq_errno()));
		goto fail;
	}
	if ((rc = set_access(e, group))) {
		zmq_unbind(sock, ep);
		unlink(e->path);
		goto fail;
	}
	*out = e;
	return 0;
fail:
	ipc_endpoint_close(&e);
	return rc;
}

void ipc_endpoint_close(ipc_endpoint **ep)
{
	struct ipc_endpoint *e = ep ? *ep : NULL;
	struct stat st;

	if (!e)
		return;
	if (e->lock_fd >= 0) {
		/* Only the file we bound: libzmq may have removed it already,
		 * and a path holding something else is not ours to delete. */
		if (e->ino && lstat(e->path, &st) == 0 && st.st_dev == e->dev &&
		    st.st_ino == e->ino)
			unlink(e->path);
		unlink(e->lock);
		close(e->lock_fd);
	}
	free(e->path);
	free(e->lock);
	free(e);
	*ep = NULL;
}

/* --- tcp:// ------------------------------------------------------------- */

/* tcp://localhost:P -> one bind per loopback address of the name. */
static int bind_localhost(void *sock, const char *ep, const char *port)
{
	struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM};
	struct addrinfo *res = NULL;
	char addrs[MAX_LOCAL_ADDRS][INET6_ADDRSTRLEN + 4];
	size_t n = 0, bound = 0;
	int rc = 0, gai;

	if (!*port || strcmp(port, "*") == 0 || strcmp(port, "0") == 0)
		return err_set(ERR_USAGE, "%s: name a port (tcp://localhost:PORT)", ep);
	if ((gai = getaddrinfo("localhost", NULL, &hints, &res)) != 0)
		return err_set(ERR_IO, "%s: cannot resolve localhost: %s", ep, gai_strerror(gai));
	for (struct addrinfo *ai = res; ai && n < MAX_LOCAL_ADDRS; ai = ai->ai_next) {
		char text[INET6_ADDRSTRLEN];
		bool loop = false;

		if (ai->ai_family == AF_INET) {
			const struct sockaddr_in *a = (const void *)ai->ai_addr;
			loop = (ntohl(a->sin_addr.s_addr) >> 24) == 127;
			inet_ntop(AF_INET, &a->sin_addr, text, sizeof(text));
		} else if (ai->ai_family == AF_INET6) {
			const struct sockaddr_in6 *a = (const void *)ai->ai_addr;
			loop = IN6_IS_ADDR_LOOPBACK(&a->sin6_addr);
			inet_ntop(AF_INET6, &a->sin6_addr, text, sizeof(text));
		} else {
			continue;
		}
		if (!loop) {
			rc = err_set(ERR_USAGE,
			             "%s: localhost resolves to %s, not a loopback address", ep,
			             text);
			goto out;
		}
		snprintf(addrs[n], sizeof(addrs[n]), ai->ai_family == AF_INET6 ? "[%s]" : "%s",
		         text);
		bool dup = false;
		for (size_t i = 0; i < n; i++)
			dup = dup || strcmp(addrs[i], addrs[n]) == 0;
		n += !dup;
	}
	for (size_t i = 0; i < n; i++) {
		char *one = xasprintf("tcp://%s:%s", addrs[i], port);
		if (zmq_bind(sock, one) == 0)
			bound++;
		else if (zmq_errno() != EADDRNOTAVAIL && !rc)
			/* IPv6 switched off leaves ::1 unavailable: not an error
			 * while another address is bound. */
			rc = err_set(ERR_IO, "cannot bind %s: %s", one, zmq_strerror(zmq_errno()));
		free(one);
	}
	if (!rc && !bound)
		rc = err_set(ERR_IO, "cannot bind %s: no loopback address available", ep);
out:
	freeaddrinfo(res);
	return rc;
}

int ipc_endpoint_bind(ipc_endpoint **out, void *sock, const char *ep, const char *group)
{
	int on = 1;

	*out = NULL;
	if (ipc_endpoint_is_ipc(ep))
		return bind_ipc(out, sock, ep, group);
	if (zmq_setsockopt(sock, ZMQ_IPV6, &on, sizeof(on)) != 0)
		return err_set(ERR_INTERNAL, "ZMQ_IPV6: %s", zmq_strerror(zmq_errno()));
	if (strncasecmp(ep, "tcp://localhost:", 16) == 0)
		return bind_localhost(sock, ep, ep + 16);
	if (zmq_bind(sock, ep) != 0)
		return err_set(ERR_IO, "cannot bind %s: %s", ep, zmq_strerror(zmq_errno()));
	return 0;
}
