/* SPDX-License-Identifier: GPL-2.0-or-later */
/* elf_info.h (test host): phyp.c includes it; what it uses is in makedumpfile.h. */
