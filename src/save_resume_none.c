/* SPDX-License-Identifier: GPL-2.0-or-later */
/* save_resume_none.c — builds without FUSE and the decompressors (the static
 * ppc64le test build) cannot resume; the engine then refuses a save after
 * earlier releases, as it must. */
#include "save_resume.h"

bool save_can_resume(void)
{
	return false;
}

int save_view_start(struct save *s, char *path, size_t size, struct pd_error *err)
{
	(void)s;
	(void)path;
	(void)size;
	return pd_fail_kind(err, PD_ERR_UNSUPPORTED, "this build of phypdump cannot resume a save");
}

int save_view_start_rearm(const struct pd_journal_state *js, const char *vmcore2, char *path,
			  size_t size, struct pd_error *err)
{
	(void)js;
	(void)vmcore2;
	(void)path;
	(void)size;
	return pd_fail_kind(err, PD_ERR_UNSUPPORTED, "this build of phypdump cannot finish a re-armed dump");
}

void save_view_stop(struct save *s)
{
	(void)s;
}
