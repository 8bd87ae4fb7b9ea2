/* SPDX-License-Identifier: GPL-2.0-or-later */
/* cache.h (test host): phyp.c includes it; what it uses is in makedumpfile.h. */
