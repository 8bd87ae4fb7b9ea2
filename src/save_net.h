/* SPDX-License-Identifier: GPL-2.0-or-later */
/* save_net.h — phypdump save to an ssh target.
 *
 * The dump goes to `phypdump receive` on the remote host, started through
 * ssh (BatchMode, the configured key, host keys checked against
 * known_hosts: never accepted blindly), in the frames of lib/net_frame.h.
 * What it means for the release rule:
 *  - "durable" is the receiver's answer to a sync, sent after its
 *    fdatasync returned; the capture engine's sync callback waits for it,
 *    so releases follow acknowledgements, never mere writes;
 *  - the journal's CRCs of saved ranges come from the receiver reading its
 *    own file back (the engine's checksum callback);
 *  - the tracker's read-back of bitmap2 is served from a local copy of the
 *    dump's head (header and bitmaps; page data is never kept);
 *  - no answer within the timeout, a closed connection or an 'X' frame
 *    fails the save: nothing more is released, the remote file stays
 *    marked incomplete, and a rerun resumes (the partial file is fetched
 *    back through the receiver to serve released memory).
 * When the remote host has no phypdump, the collector's flattened stream
 * is written there as vmcore.flat with dd conv=fdatasync (as kdump's ssh
 * target does) and all memory is released at the end, once that finished.
 */
#ifndef PD_SAVE_NET_H
#define PD_SAVE_NET_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "net_frame.h"
#include "pd_error.h"

#define SAVE_NET_MAX_OPTS 16

struct save_net {
	/* configuration */
	char user_host[512];		/* [user@]host */
	char port[8];			/* "" for ssh's default */
	char base[PATH_MAX];		/* the URL's path */
	char url[1024];			/* ssh://[user@]host[:port] */
	const char *key;		/* -i, or NULL */
	const char *remote_cmd;		/* the remote phypdump */
	const char *opts[SAVE_NET_MAX_OPTS];
	int nopts;
	double timeout;			/* seconds without an answer */
	/* session */
	char dir[PATH_MAX];		/* the remote dump directory */
	char log_path[PATH_MAX];	/* ssh's stderr, locally */
	pid_t pid;
	int to, from;
	bool fallback;			/* plain stream: release at the end */
	bool connected;
	struct pd_net_parser p;
	bool have_parser;
	bool have_reply;
	struct pd_net_frame reply;
	char text[PATH_MAX];		/* the reply's text */
	int fetch_fd;			/* 'G': where 'D' frames go */
	int shadow_fd;			/* header and bitmaps, locally */
	uint64_t durable;		/* last acknowledged size */
	uint64_t acks;
};

void save_net_init(struct save_net *n);
/* ssh://[user@]host[:port]/ABSOLUTE/PATH */
int save_net_parse(struct save_net *n, const char *url, struct pd_error *err);
/* Connect; open DIR/TMPNAME (DIR is n->dir).  Falls back to the plain
 * stream when the remote host has no phypdump.  @local_dir: where ssh's
 * log goes. */
int save_net_open(struct save_net *n, const char *local_dir, const char *tmpname,
		  struct pd_error *err);
int save_net_write(struct save_net *n, uint64_t off, const unsigned char *d, size_t len,
		   struct pd_error *err);
/* The fallback: forward the collector's raw bytes. */
int save_net_raw(struct save_net *n, const unsigned char *d, size_t len, struct pd_error *err);
int save_net_sync(struct save_net *n, struct pd_error *err);
int save_net_checksum(struct save_net *n, uint64_t off, uint64_t len, uint32_t *crc,
		      struct pd_error *err);
/* Finish the remote file (rename, directory fsync); its path into n->text.
 * The session stays open (save_net_unlink) until save_net_close(). */
int save_net_finish(struct save_net *n, struct pd_error *err);
/* After the finish: remove an earlier run's partial file beside the dump. */
int save_net_unlink(struct save_net *n, const char *path, struct pd_error *err);
/* Close the session (the remote file stays incomplete). */
void save_net_close(struct save_net *n);
/* Fetch remote file @path into local file descriptor @fd (a new session). */
int save_net_fetch(struct save_net *n, const char *path, int fd, const char *local_dir,
		   struct pd_error *err);
/* The head copy the tracker reads back (a pd_read_fn over shadow_fd). */
int save_net_shadow(struct save_net *n, uint64_t off, const unsigned char *d, size_t len);

#endif
