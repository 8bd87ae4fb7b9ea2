/* SPDX-License-Identifier: GPL-2.0-or-later */
/* word splitting of kdump.conf lines and the collector's argv. */
#include "argsplit.h"
#include "unit.h"

static char **split(const char *s, size_t *n, struct pd_error *err)
{
	return pd_argsplit(s, strlen(s), n, err);
}

int main(void)
{
	struct pd_error err;
	size_t n;
	char **v;

	v = split("  makedumpfile -l  --message-level 7\t-d 31 ", &n, &err);
	CHECK(v && n == 6);
	CHECK(v && !strcmp(v[0], "makedumpfile") && !strcmp(v[5], "31") && v[6] == NULL);
	pd_argv_free(v);
	v = split("a 'b c' \"d \\\"e\\\\\" f\\ g", &n, &err);
	CHECK(v && n == 4);
	CHECK(v && !strcmp(v[1], "b c") && !strcmp(v[2], "d \"e\\") && !strcmp(v[3], "f g"));
	pd_argv_free(v);
	v = split("", &n, &err);
	CHECK(v && n == 0);
	pd_argv_free(v);
	CHECK(split("a 'b", &n, &err) == NULL);
	CHECK_STR_CONTAINS(err.msg, "unterminated '");
	CHECK_EQ_U64(err.column, 3);
	CHECK(split("a \"b", &n, &err) == NULL);
	CHECK_STR_CONTAINS(err.msg, "unterminated \"");
	CHECK(split("makedumpfile -d 31 | gzip", &n, &err) == NULL);
	CHECK_STR_CONTAINS(err.msg, "'|' at column 20 needs a shell");
	CHECK(split("a \"$HOME\"", &n, &err) == NULL);
	CHECK_STR_CONTAINS(err.msg, "shell expansion");
	CHECK(split("a b\\", &n, &err) == NULL);
	CHECK_STR_CONTAINS(err.msg, "trailing backslash");
	{
		char line[1200];
		size_t i;

		for (i = 0; i < 600; i++) {
			line[2 * i] = 'x';
			line[2 * i + 1] = ' ';
		}
		line[1199] = 0;
		CHECK(split(line, &n, &err) == NULL);
		CHECK_STR_CONTAINS(err.msg, "more than 256 words");
	}
	{
		const char nul[] = "a\0b";

		CHECK(pd_argsplit(nul, 3, &n, &err) == NULL);
		CHECK_STR_CONTAINS(err.msg, "NUL");
	}
	return unit_report("argsplit");
}
