/* SPDX-License-Identifier: GPL-2.0-or-later */
/* detection on fake roots: normal boot, dump boot (both node names),
 * legacy sysfs, release mechanisms, and the combined dump state. */
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "detect.h"
#include "dump_state.h"
#include "fileio.h"
#include "fakeroot.h"
#include "unit.h"

static char root[64];

static void put(const char *rel, const char *content)
{
	fakeroot_put(root, rel, content);
}

static void del(const char *rel)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	unlink(path);
}

int main(void)
{
	struct pd_detect d;
	struct pd_dump_state s;
	struct pd_error err;

	snprintf(root, sizeof(root), "/tmp/pddetect.XXXXXX");
	CHECK(mkdtemp(root) != NULL);

	/* Empty root: nothing, and no error. */
	CHECK(pd_detect(root, &d, &err) == 0);
	CHECK(!d.dump_boot && !d.fw_support && d.fadump_enabled == -1);
	CHECK(pd_detect_mechanism(&d) == PD_RELEASE_NONE);

	/* Normal boot with fadump registered. */
	put("proc/device-tree/rtas/ibm,configure-kernel-dump", "\0\0\0\x2a");
	put("sys/kernel/fadump/enabled", "1\n");
	put("sys/kernel/fadump/registered", "1\n");
	put("sys/kernel/fadump/mem_reserved", "1342177280\n");
	CHECK(pd_detect(root, &d, &err) == 0);
	CHECK(!d.dump_boot && d.fw_support);
	CHECK(d.fadump_enabled == 1 && d.fadump_registered == 1);
	CHECK_EQ_U64(d.mem_reserved, 1342177280);
	CHECK(d.registered_path[0] != 0);
	CHECK(pd_detect_mechanism(&d) == PD_RELEASE_NONE);

	/* Stock dump boot: release_mem only. */
	put("proc/device-tree/rtas/ibm,kernel-dump", "x");
	put("sys/kernel/fadump/registered", "0\n");
	put("sys/kernel/fadump/release_mem", "");
	put("proc/vmcore", "");
	CHECK(pd_detect(root, &d, &err) == 0);
	CHECK(d.dump_boot && strcmp(d.dump_node, "ibm,kernel-dump") == 0);
	CHECK(pd_detect_mechanism(&d) == PD_RELEASE_ALL_AT_ONCE);
	CHECK(pd_dump_state_read(root, NULL, &s, &err) == 0);
	CHECK(s.holds_dump && s.reserved_known && !s.have_line);
	CHECK_EQ_U64(s.reserved_bytes, 1342177280);
	CHECK(s.journal_rc == 1);
	pd_dump_state_free(&s);

	/* The seed's node name and path, no '@'. */
	del("proc/device-tree/rtas/ibm,kernel-dump");
	put("proc/device-tree/rtas/ibm,dump-kernel", "x");
	put("sys/kernel/release_region",
	    "CPU:0x177fee000-0x10000: HPTE:0x177ffe020-0x1000: /\n"
	    "DUMP:0x177fff020-0x10000000, 0x10000000-0x16F1D370A\n");
	CHECK(pd_detect(root, &d, &err) == 0);
	CHECK(strcmp(d.dump_node, "ibm,dump-kernel") == 0);
	CHECK(pd_detect_mechanism(&d) == PD_RELEASE_INCREMENTAL);
	CHECK_STR_CONTAINS(d.release_region, "/sys/kernel/release_region");
	CHECK(pd_dump_state_read(root, NULL, &s, &err) == 0);
	CHECK(s.have_line && s.current.seed_form);
	CHECK(s.current.overlapping);
	CHECK_EQ_U64(s.reserved_bytes, 0x10000 + 0x1000 + 0x10000000 + 0x16F1D370AULL);
	pd_dump_state_free(&s);

	/* The canonical path wins over the seed's. */
	put("sys/kernel/fadump/release_region",
	    "CPU:0x14000000-0x510: HPTE:0x14000510-0x0: DUMP:0x14001000-0x14000000@0x0:\n");
	CHECK(pd_detect(root, &d, &err) == 0);
	CHECK_STR_CONTAINS(d.release_region, "/sys/kernel/fadump/release_region");

	/* A malformed line fails the state read, with the column. */
	put("sys/kernel/fadump/release_region", "CPU:0x14000000-0x510 HPTE");
	CHECK(pd_dump_state_read(root, NULL, &s, &err) == -1);
	CHECK_STR_CONTAINS(err.msg, "column 22");
	pd_dump_state_free(&s);

	/* A line that changes while it is read (a save releasing meanwhile) is
	 * read again: through a FIFO, the first read gets a torn line, the
	 * second the whole one.  (A regular malformed file reads the same twice
	 * and fails, above.) */
	{
		static const char whole[] =
			"CPU:0x14000000-0x510: HPTE:0x14000510-0x0: DUMP:0x14001000-0x14000000@0x0:\n";
		const char *texts[2] = { "CPU:0x14000000-0x510: HPTE:0x1400", whole };
		char p[512];
		pid_t pid;
		int st = -1;

		snprintf(p, sizeof(p), "%s/sys/kernel/fadump/release_region", root);
		del("sys/kernel/fadump/release_region");
		CHECK(mkfifo(p, 0600) == 0);
		pid = fork();
		if (pid == 0) {
			alarm(10);	/* never wait for a reader that does not come */
			for (int i = 0; i < 2; i++) {
				int fd = open(p, O_WRONLY);

				if (fd < 0 || pd_write_all(fd, texts[i], strlen(texts[i])))
					_exit(1);
				close(fd);
				/* Let the reader see the end of this text and close
				 * before the next open, or both texts go to one read. */
				usleep(200 * 1000);
			}
			_exit(0);
		}
		CHECK(pid > 0);
		alarm(30);	/* a third read would wait for a writer forever */
		CHECK(pd_dump_state_read(root, NULL, &s, &err) == 0);
		alarm(0);
		CHECK(s.have_line && s.current.ndump == 1);
		CHECK_EQ_U64(s.reserved_bytes, 0x510 + 0x14000000);
		pd_dump_state_free(&s);
		CHECK(waitpid(pid, &st, 0) == pid && WIFEXITED(st) && WEXITSTATUS(st) == 0);
		del("sys/kernel/fadump/release_region");
	}

	/* A damaged journal is reported, not fatal; a stale one is flagged. */
	put("sys/kernel/fadump/release_region",
	    "CPU:0x14000000-0x510: HPTE:0x14000510-0x0: DUMP:0x14001000-0x14000000@0x0:\n");
	put("var/lib/phypdump/journal", "garbage\n");
	CHECK(pd_dump_state_read(root, NULL, &s, &err) == 0);
	CHECK(s.journal_rc == -1);
	CHECK_STR_CONTAINS(s.journal_err.msg, "damaged");
	pd_dump_state_free(&s);

	/* Legacy sysfs names only. */
	del("sys/kernel/fadump/enabled");
	del("sys/kernel/fadump/registered");
	del("sys/kernel/fadump/mem_reserved");
	del("sys/kernel/fadump/release_mem");
	del("sys/kernel/fadump/release_region");
	{
		char p[512];

		snprintf(p, sizeof(p), "%s/sys/kernel/fadump", root);
		CHECK(rmdir(p) == 0);
	}
	del("sys/kernel/release_region");
	put("sys/kernel/fadump_enabled", "1");
	put("sys/kernel/fadump_registered", "0");
	put("sys/kernel/fadump_release_mem", "");
	CHECK(pd_detect(root, &d, &err) == 0);
	CHECK(d.sysfs_legacy && d.fadump_enabled == 1 && d.fadump_registered == 0);
	CHECK(pd_detect_mechanism(&d) == PD_RELEASE_ALL_AT_ONCE);
	CHECK_STR_CONTAINS(d.release_mem, "fadump_release_mem");
	put("sys/kernel/fadump_enabled", "banana");
	CHECK(pd_detect(root, &d, &err) == 0);
	CHECK(d.fadump_enabled == -1);

	{
		char cmd[128];

		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
		CHECK(system(cmd) == 0);
	}
	return unit_report("detect");
}
