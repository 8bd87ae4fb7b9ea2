/* SPDX-License-Identifier: GPL-2.0-or-later */
/* pd_parse_size: every accepted form, every refusal. */
#include "units.h"
#include "unit.h"

int main(void)
{
	uint64_t v = 7;

	CHECK(pd_parse_size("256M", &v) == 0 && v == 256ull << 20);
	CHECK(pd_parse_size("0x1000", &v) == 0 && v == 0x1000);
	CHECK(pd_parse_size("64k", &v) == 0 && v == 65536);
	CHECK(pd_parse_size("1G", &v) == 0 && v == 1ull << 30);
	CHECK(pd_parse_size("4096", &v) == 0 && v == 4096);
	v = 7;
	CHECK(pd_parse_size("-1", &v) != 0 && v == 7);
	CHECK(pd_parse_size("+1", &v) != 0 && pd_parse_size(" 1", &v) != 0);
	CHECK(pd_parse_size("", &v) != 0 && pd_parse_size(NULL, &v) != 0);
	CHECK(pd_parse_size("12X", &v) != 0 && pd_parse_size("1MB", &v) != 0);
	CHECK(pd_parse_size("99999999999999G", &v) != 0);
	CHECK(pd_parse_size("99999999999999999999", &v) != 0);
	CHECK(v == 7);
	return unit_report("units");
}
