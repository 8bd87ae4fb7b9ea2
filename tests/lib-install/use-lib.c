/* SPDX-License-Identifier: GPL-2.0-or-later */
/* A program built against the installed libphypdump the way makedumpfile is
 * (pkg-config, <phypdump/phyp_release.h>): every public function is
 * referenced, so a name missing from the library fails the link, and the
 * one call whose outcome does not depend on a dump boot is run: open() on a
 * root without release_region is refused with a message, releasing nothing. */
#include <phypdump/phyp_release.h>

#include <stdio.h>
#include <string.h>

/* Every function of the public API; the link resolves them all. */
static void (*const api[])(void) = {
	(void (*)(void))phyp_release_open,
	(void (*)(void))phyp_release_set_unmap_hook,
	(void (*)(void))phyp_release_scan_begin,
	(void (*)(void))phyp_release_read,
	(void (*)(void))phyp_release_scan_end,
	(void (*)(void))phyp_release_scans_done,
	(void (*)(void))phyp_release_excluded,
	(void (*)(void))phyp_release_written,
	(void (*)(void))phyp_release_durable,
	(void (*)(void))phyp_release_finish,
	(void (*)(void))phyp_release_close,
	(void (*)(void))phyp_release_error,
	(void (*)(void))phyp_release_stats,
	(void (*)(void))phyp_release_journal_path,
};

int main(int argc, char **argv)
{
	struct phyp_release_opts o;
	struct phyp_release *r;
	struct pd_error err;
	size_t i;

	if (argc != 2) {
		fprintf(stderr, "usage: use-lib EMPTY-ROOT\n");
		return 2;
	}
	for (i = 0; i < sizeof(api) / sizeof(api[0]); i++)
		if (!api[i])
			return 1;
	memset(&o, 0, sizeof(o));
	memset(&err, 0, sizeof(err));
	o.root = argv[1];
	o.dump_page_size = 4096;
	r = phyp_release_open(&o, &err);
	if (r) {
		fprintf(stderr, "use-lib: open() accepted a root with no release_region\n");
		phyp_release_close(r);
		return 1;
	}
	if (!err.msg[0]) {
		fprintf(stderr, "use-lib: open() refused without a message\n");
		return 1;
	}
	phyp_release_close(NULL);
	printf("use-lib: %zu functions linked; open refused: %s\n",
	       sizeof(api) / sizeof(api[0]), err.msg);
	return 0;
}
