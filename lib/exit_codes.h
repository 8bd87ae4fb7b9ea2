/* SPDX-License-Identifier: GPL-2.0-or-later */
/* exit_codes.h — the one table of phypdump's exit codes.
 *
 * C uses the enum below; shell gets the same names and numbers from
 * `phypdump exit-codes` (PD_EXIT_NAME=N lines, for eval), so the service
 * scripts and the distribution patches never hard-code a number.  The man
 * page's EXIT STATUS section lists the same rows.
 *
 * Why a code of its own for UNSUPPORTED: a service must tell "no dump, go on
 * booting" (NO_DUMP) from "a dump is held that phypdump cannot save" (an
 * OPAL MPIPL boot, an unreadable /proc/vmcore), which must go to the stock
 * capture path and never be read as success.
 */
#ifndef PD_EXIT_CODES_H
#define PD_EXIT_CODES_H

/* X(NAME, number, meaning) */
#define PD_EXIT_CODES(X)                                                          \
	X(OK, 0, "done: the dump is saved (save), a dump is held (status)")      \
	X(FAILED, 1, "the capture failed: the dump is incomplete and unsaved memory stays reserved; run save again to resume") \
	X(USAGE, 2, "bad command line or configuration")                         \
	X(REFUSED, 3, "refused: the kernel's files or the journal say the dump cannot be saved safely; nothing was released") \
	X(NO_DUMP, 4, "this boot holds no firmware-assisted dump")               \
	X(UNSUPPORTED, 5, "a dump is held that phypdump cannot save (OPAL MPIPL, unreadable /proc/vmcore): use the stock capture") \
	X(BUSY, 6, "another capture holds this dump's lock")

enum pd_exit {
#define PD_EXIT_ENUM(name, num, text) PD_EXIT_##name = num,
	PD_EXIT_CODES(PD_EXIT_ENUM)
#undef PD_EXIT_ENUM
};

#endif
