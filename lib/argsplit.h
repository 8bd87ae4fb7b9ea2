/* SPDX-License-Identifier: GPL-2.0-or-later */
/* argsplit.h — split a kdump.conf-style command line into words.
 *
 * Rules (a small, predictable subset of the shell): words are separated by
 * blanks; '...' keeps everything literally; "..." keeps everything but lets
 * \" and \\ escape; a backslash outside quotes escapes the next character.
 * No variables, globs, redirections or command substitution: a line using
 * $, `, |, ;, &, <, > or a glob outside quotes is refused, because kdump.conf's
 * core_collector is run without a shell here.
 *
 * Contract: returns a NULL-terminated, malloc'ed argv (free with
 * pd_argv_free) and its count, or NULL with a message naming the column.
 */
#ifndef PD_ARGSPLIT_H
#define PD_ARGSPLIT_H

#include <stddef.h>

#include "pd_error.h"

#define PD_ARGSPLIT_MAX_WORDS 256

char **pd_argsplit(const char *line, size_t len, size_t *argc, struct pd_error *err);
void pd_argv_free(char **argv);

#endif
