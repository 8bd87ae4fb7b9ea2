/* SPDX-License-Identifier: GPL-2.0-or-later */
/* save_resume.h — resuming an interrupted save.
 *
 * The collector reads a view of the vmcore (FUSE, in a private mount
 * namespace so that it vanishes with us): bytes of memory that earlier runs
 * released are served from the partial dump files those runs wrote (after
 * their journal checksums are verified), every other byte from the vmcore
 * itself.  Released memory is never read.  lib/resume_view.h is the logic;
 * this is the mount.
 */
#ifndef PD_SAVE_RESUME_H
#define PD_SAVE_RESUME_H

#include <stdbool.h>
#include <stddef.h>

#include "save.h"

/* Whether this build can resume (the static ppc64le test build cannot). */
bool save_can_resume(void);
/* Verify the partial files and mount the view; its vmcore path into @path. */
int save_view_start(struct save *s, char *path, size_t size, struct pd_error *err);
/* The same for an earlier dump re-armed by another boot (@js its journal),
 * from this boot's vmcore @vmcore2 (lib/resume_view.h, re-armed). */
int save_view_start_rearm(const struct pd_journal_state *js, const char *vmcore2, char *path,
			  size_t size, struct pd_error *err);
/* Unmount (idempotent). */
void save_view_stop(struct save *s);

#endif
