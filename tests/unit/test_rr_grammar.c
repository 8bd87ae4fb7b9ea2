/* SPDX-License-Identifier: GPL-2.0-or-later */
/* release_region grammar: every accepted form and every error path. */
#include "rr_grammar.h"
#include "unit.h"

static const char seed_line[] =
	"CPU:0x177fee000-0x10000: HPTE:0x177ffe020-0x1000: /\n"
	"DUMP:0x177fff020-0x10000000, 0x10000000-0x16F1D370A";

static const char qemu_line[] =
	"CPU:0x14000000-0x510: HPTE:0x14000510-0x0: "
	"DUMP:0x14001000-0x14000000@0x0, 0x280011b0-0x57ffee50:\n";

static void expect_error(const char *line, size_t column, const char *words)
{
	struct pd_rr rr;
	struct pd_error err;

	memset(&err, 0, sizeof(err));
	CHECK(pd_rr_parse(line, strlen(line), &rr, &err) == -1);
	CHECK(rr.dump == NULL && rr.ndump == 0);
	if (column)
		CHECK_EQ_U64(err.column, column);
	CHECK_STR_CONTAINS(err.msg, words);
}

int main(void)
{
	struct pd_rr rr, back;
	struct pd_error err;
	char *s;
	uint64_t a, l;

	/* The seed's example: relocated copy first, in-place memory after. */
	CHECK(pd_rr_parse(seed_line, strlen(seed_line), &rr, &err) == 0);
	CHECK_EQ_U64(rr.cpu.addr, 0x177fee000);
	CHECK_EQ_U64(rr.cpu.len, 0x10000);
	CHECK_EQ_U64(rr.hpte.addr, 0x177ffe020);
	CHECK_EQ_U64(rr.hpte.len, 0x1000);
	CHECK_EQ_U64(rr.ndump, 2);
	CHECK(rr.seed_form);
	CHECK(rr.overlapping);	/* its in-place range runs over its CPU area */
	CHECK_EQ_U64(rr.dump[0].addr, 0x177fff020);
	CHECK_EQ_U64(rr.dump[0].src, 0);
	CHECK_EQ_U64(rr.dump[1].addr, 0x10000000);
	CHECK_EQ_U64(rr.dump[1].len, 0x16F1D370A);
	CHECK_EQ_U64(rr.dump[1].src, 0x10000000);
	CHECK_EQ_U64(pd_rr_reserved_bytes(&rr), 0x10000 + 0x1000 + 0x10000000 + 0x16F1D370AULL);
	/* Formatting writes the copy with @ and round-trips. */
	s = pd_rr_format(&rr);
	CHECK_STR_CONTAINS(s, "DUMP:0x177fff020-0x10000000@0x0, 0x10000000-0x16f1d370a:\n");
	CHECK(pd_rr_parse(s, strlen(s), &back, &err) == 0);
	CHECK(!back.seed_form);
	CHECK_EQ_U64(back.dump[0].src, 0);
	CHECK_EQ_U64(back.dump[1].len, 0x16F1D370A);
	free(s);
	pd_rr_free(&back);
	pd_rr_free(&rr);

	/* The QEMU layout of facts.md §2, as our kernel prints it. */
	CHECK(pd_rr_parse(qemu_line, strlen(qemu_line), &rr, &err) == 0);
	CHECK_EQ_U64(rr.cpu.len, 0x510);
	CHECK_EQ_U64(rr.hpte.len, 0);
	CHECK_EQ_U64(rr.ndump, 2);
	CHECK_EQ_U64(rr.dump[0].src, 0);
	CHECK_EQ_U64(rr.dump[0].addr, 0x14001000);
	CHECK_EQ_U64(rr.dump[1].src, 0x280011b0);
	s = pd_rr_format(&rr);
	CHECK(s && strcmp(s, qemu_line) == 0);
	free(s);
	pd_rr_free(&rr);

	/* Any white space, upper-case hex, 0X, no trailing colon, split ranges. */
	{
		const char *l2 = "  CPU :\t0X10-0x0 :\nHPTE: 0x20-0X10:\n/ DUMP:\n0x1000-0x1000@0x0 ,0x5000-0xAbC@0X5000\n\n";

		CHECK(pd_rr_parse(l2, strlen(l2), &rr, &err) == 0);
		CHECK_EQ_U64(rr.ndump, 2);
		CHECK_EQ_U64(rr.dump[1].len, 0xabc);
		pd_rr_free(&rr);
	}
	/* Ascending without '@': in-place memory (copy already released). */
	{
		const char *l3 = "CPU:0x0-0x0: HPTE:0x0-0x0: DUMP:0x280011b0-0x1000, 0x30000000-0x1000:";

		CHECK(pd_rr_parse(l3, strlen(l3), &rr, &err) == 0);
		CHECK(!rr.seed_form);
		CHECK_EQ_U64(rr.dump[0].src, 0x280011b0);
		pd_rr_free(&rr);
	}
	/* Empty DUMP list: only CPU/HPTE left. */
	{
		const char *l4 = "CPU:0x14000000-0x510: HPTE:0x14000510-0x0: DUMP::\n";

		CHECK(pd_rr_parse(l4, strlen(l4), &rr, &err) == 0);
		CHECK_EQ_U64(rr.ndump, 0);
		CHECK_EQ_U64(pd_rr_reserved_bytes(&rr), 0x510);
		s = pd_rr_format(&rr);
		CHECK(s && strcmp(s, l4) == 0);
		free(s);
		pd_rr_free(&rr);
	}

	/* Errors name the column. */
	expect_error("", 1, "expected CPU");
	expect_error("CPX:0x1-0x1", 1, "expected CPU");
	expect_error("CPU:1-0x1", 5, "hexadecimal address");
	expect_error("CPU:0x-0x1", 7, "hexadecimal address");
	expect_error("CPU:0x1+0x1", 8, "'-'");
	expect_error("CPU:0x1-0x1@0x0: HPTE:0x0-0x0: DUMP::", 12, "only DUMP ranges");
	expect_error("CPU:0x1-0x1 HPTE", 13, "':' after the CPU range");
	expect_error("CPU:0x10000000000000000-0x1: HPTE:0x0-0x0: DUMP::", 7, "64 bits");
	expect_error("CPU:0x0-0x0: HPTE:0x0-0x0: DUMP:0x1000-0x10 junk", 45, "end of the line");
	expect_error("CPU:0x0-0x0: HPTE:0x0-0x0: DUMP:0x1000-0x10,", 45, "hexadecimal address");
	expect_error("CPU:0x0-0x0: HPTE:0x0-0x0: DUMP:0xffffffffffffffff-0x2:", 33, "end of the address space");
	expect_error("CPU:0x0-0x0: HPTE:0x0-0x0: DUMP:0x10-0x10@0xfffffffffffffff8:", 33, "source of the range");
	expect_error("CPU:0x0-0x0: HPTE:0x0-0x0: DUMP:0x2000-0x1000, 0x1000-0x800@0x1000:", 0, "ascend");
	{
		const char *ov = "CPU:0x0-0x0: HPTE:0x0-0x0: DUMP:0x1000-0x1000@0x0, 0x1800-0x1000:";

		CHECK(pd_rr_parse(ov, strlen(ov), &rr, &err) == 0);
		CHECK(rr.overlapping);
		pd_rr_free(&rr);
		ov = "CPU:0x14000000-0x510: HPTE:0x14000510-0x0: DUMP:0x14001000-0x14000000@0x0:";
		CHECK(pd_rr_parse(ov, strlen(ov), &rr, &err) == 0);
		CHECK(!rr.overlapping);
		pd_rr_free(&rr);
	}
	{
		/* an embedded NUL stops nothing: it is an unexpected character */
		const char l5[] = "CPU:0x0-0x0: HPTE:0x0-0x0: DUMP:0x1000-0x10:\0";

		CHECK(pd_rr_parse(l5, sizeof(l5) - 1, &rr, &err) == -1);
		CHECK_EQ_U64(err.column, sizeof(l5) - 1);
	}

	/* The writing side. */
	CHECK(pd_rr_parse_release("0x40000000 0x10000000", 21, &a, &l, &err) == 0);
	CHECK_EQ_U64(a, 0x40000000);
	CHECK_EQ_U64(l, 0x10000000);
	CHECK(pd_rr_parse_release("40000000\t\t10000000\n", 19, &a, &l, &err) == 0);
	CHECK_EQ_U64(l, 0x10000000);
	CHECK(pd_rr_parse_release("0x1 0x0", 7, &a, &l, &err) == -1);
	CHECK_STR_CONTAINS(err.msg, "length is 0");
	CHECK(pd_rr_parse_release("0xffffffffffffffff 0x2", 22, &a, &l, &err) == -1);
	CHECK_STR_CONTAINS(err.msg, "end of the address space");
	CHECK(pd_rr_parse_release("0x1\n0x2", 7, &a, &l, &err) == -1);
	CHECK(pd_rr_parse_release("0x1 0x2 0x3", 11, &a, &l, &err) == -1);
	CHECK(pd_rr_parse_release("0x1 0x2\n\n", 9, &a, &l, &err) == -1);
	CHECK(pd_rr_parse_release("", 0, &a, &l, &err) == -1);
	CHECK(pd_rr_parse_release("zz 0x1", 6, &a, &l, &err) == -1);
	{
		char buf[PD_RR_RELEASE_MAX];
		size_t n = pd_rr_format_release(buf, UINT64_MAX - 1, 1);

		CHECK(pd_rr_parse_release(buf, n, &a, &l, &err) == 0);
		CHECK_EQ_U64(a, UINT64_MAX - 1);
		CHECK_EQ_U64(l, 1);
	}
	return unit_report("rr_grammar");
}
