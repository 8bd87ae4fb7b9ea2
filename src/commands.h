/* commands.h — phypdump's subcommands.  Each takes argc/argv starting at the
 * subcommand's own name and returns the process exit code. */
#ifndef PD_COMMANDS_H
#define PD_COMMANDS_H

/* Exit codes shared by all subcommands (documented in phypdump.8). */
enum {
	PD_EXIT_OK = 0,		/* status: this boot holds a dump */
	PD_EXIT_NO_DUMP = 1,	/* status: no dump held on this boot */
	PD_EXIT_USAGE = 2,	/* bad command line */
	PD_EXIT_STATE = 3,	/* the kernel's files or the journal could not be read */
};

int cmd_status(int argc, char **argv);
int cmd_save(int argc, char **argv);

#endif
