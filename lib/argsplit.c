/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "argsplit.h"

#include <stdlib.h>
#include <string.h>

void pd_argv_free(char **argv)
{
	size_t i;

	if (!argv)
		return;
	for (i = 0; argv[i]; i++)
		free(argv[i]);
	free(argv);
}

char **pd_argsplit(const char *line, size_t len, size_t *argc, struct pd_error *err)
{
	char **argv = calloc(PD_ARGSPLIT_MAX_WORDS + 1, sizeof(*argv));
	char *word = malloc(len + 1);
	size_t pos = 0, n = 0, w = 0;
	int in_word = 0;

	if (!argv || !word) {
		pd_fail(err, "out of memory");
		goto bad;
	}
	while (pos <= len) {
		char c = pos < len ? line[pos] : 0;

		if (pos == len || c == ' ' || c == '\t' || c == '\n') {
			if (in_word) {
				if (n == PD_ARGSPLIT_MAX_WORDS) {
					pd_fail_at(err, pos + 1, "command line: more than %d words",
						   PD_ARGSPLIT_MAX_WORDS);
					goto bad;
				}
				word[w] = 0;
				argv[n] = strdup(word);
				if (!argv[n]) {
					pd_fail(err, "out of memory");
					goto bad;
				}
				n++;
				w = 0;
				in_word = 0;
			}
			pos++;
			continue;
		}
		if (c == 0) {
			pd_fail_at(err, pos + 1, "command line: NUL byte at column %zu", pos + 1);
			goto bad;
		}
		in_word = 1;
		if (c == '\'') {
			const char *q = memchr(line + pos + 1, '\'', len - pos - 1);

			if (!q) {
				pd_fail_at(err, pos + 1, "command line: unterminated ' at column %zu", pos + 1);
				goto bad;
			}
			memcpy(word + w, line + pos + 1, (size_t)(q - line) - pos - 1);
			w += (size_t)(q - line) - pos - 1;
			pos = (size_t)(q - line) + 1;
			continue;
		}
		if (c == '"') {
			size_t start = pos++;

			while (pos < len && line[pos] != '"') {
				if (line[pos] == '\\' && pos + 1 < len &&
				    (line[pos + 1] == '"' || line[pos + 1] == '\\'))
					pos++;
				if (line[pos] == '$' || line[pos] == '`') {
					pd_fail_at(err, pos + 1,
						   "command line: shell expansion ('%c') at column %zu is not supported",
						   line[pos], pos + 1);
					goto bad;
				}
				word[w++] = line[pos++];
			}
			if (pos >= len) {
				pd_fail_at(err, start + 1, "command line: unterminated \" at column %zu", start + 1);
				goto bad;
			}
			pos++;
			continue;
		}
		if (c == '\\') {
			if (pos + 1 >= len) {
				pd_fail_at(err, pos + 1, "command line: trailing backslash");
				goto bad;
			}
			word[w++] = line[pos + 1];
			pos += 2;
			continue;
		}
		if (strchr("$`|;&<>*?[]{}()~#", c)) {
			pd_fail_at(err, pos + 1,
				   "command line: '%c' at column %zu needs a shell, and the collector is run without one",
				   c, pos + 1);
			goto bad;
		}
		word[w++] = c;
		pos++;
	}
	free(word);
	*argc = n;
	return argv;
bad:
	free(word);
	pd_argv_free(argv);
	return NULL;
}
