/* SPDX-License-Identifier: GPL-2.0-or-later */
/* json_out.h — the few JSON helpers phypdump's --json outputs need.
 * Strings are escaped per RFC 8259; numbers are printed as integers. */
#ifndef PD_JSON_OUT_H
#define PD_JSON_OUT_H

#include <stdio.h>

void json_str(FILE *f, const char *s);

#endif
