/* SPDX-License-Identifier: GPL-2.0-or-later */
/* preflight: what must hold before phypdump-sim mounts, each failure with a
 * message that says what to do.
 *
 * sim_preflight(mountpoint, err, errlen) checks, in this order:
 *   /dev/fuse exists and is readable and writable (else: load the fuse module);
 *   fusermount3 is in PATH (else: install the fuse3 package);
 *   the mount point is a directory, and it is empty (mounting over files would
 *   hide them; libfuse3 no longer refuses by itself).
 * Returns 0, or -1 with the message in err.
 */
#ifndef SIM_PREFLIGHT_H
#define SIM_PREFLIGHT_H

#include <stddef.h>

int sim_preflight(const char *mountpoint, char *err, size_t errlen);
/* 1 if PROG is an executable file in one of PATH's directories. */
int sim_in_path(const char *prog);

#endif
