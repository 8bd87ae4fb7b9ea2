/* SPDX-License-Identifier: GPL-2.0-or-later */
/* commands.h — phypdump's subcommands.  Each takes argc/argv starting at the
 * subcommand's own name and returns the process exit code. */
#ifndef PD_COMMANDS_H
#define PD_COMMANDS_H

#include "exit_codes.h"

int cmd_status(int argc, char **argv);
int cmd_save(int argc, char **argv);
int cmd_receive(int argc, char **argv);
int cmd_verify(int argc, char **argv);

#endif
