/* util/strbuf.c's number appenders: the same bytes as printf's formats
 * they replace in the text sink, over edges and a sweep of magnitudes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "util/strbuf.h"

/* the values: edges, then every power of two and ten with its neighbours */
static size_t values(uint64_t *v, size_t max)
{
	size_t n = 0;
	const uint64_t edges[] = { 0, 1, 9, 10, 15, 16, 99999, 100000, 999999, 1000000, 4095,
				   (uint64_t)INT64_MAX, (uint64_t)INT64_MIN, UINT64_MAX, UINT64_MAX - 1 };
	for (size_t i = 0; i < sizeof(edges) / sizeof(edges[0]) && n < max; i++)
		v[n++] = edges[i];
	for (int s = 0; s < 64 && n + 3 <= max; s++) {
		uint64_t p = (uint64_t)1 << s;
		v[n++] = p - 1;
		v[n++] = p;
		v[n++] = p + 1;
	}
	uint64_t t = 1;
	for (int e = 0; e < 20 && n + 3 <= max; e++, t *= 10) {
		v[n++] = t - 1;
		v[n++] = t;
		v[n++] = t + 1;
	}
	return n;
}

static void same(struct strbuf *sb, const char *want)
{
	assert_false(sb->failed);
	assert_string_equal(sb->buf, want);
	assert_int_equal(sb->len, strlen(want));
	strbuf_reset(sb);
}

static void test_like_printf(void **state)
{
	(void)state;
	uint64_t v[512];
	size_t n = values(v, 512);
	struct strbuf sb = STRBUF_INIT;
	char want[64];
	for (size_t i = 0; i < n; i++) {
		snprintf(want, sizeof(want), "%" PRIu64, v[i]);
		strbuf_add_u64(&sb, v[i]);
		same(&sb, want);
		snprintf(want, sizeof(want), "%" PRId64, (int64_t)v[i]);
		strbuf_add_i64(&sb, (int64_t)v[i]);
		same(&sb, want);
		snprintf(want, sizeof(want), "%" PRId64, -(int64_t)(v[i] & INT64_MAX));
		strbuf_add_i64(&sb, -(int64_t)(v[i] & INT64_MAX));
		same(&sb, want);
		snprintf(want, sizeof(want), "%#" PRIx64, v[i]);
		strbuf_add_hex(&sb, v[i]);
		same(&sb, want);
		snprintf(want, sizeof(want), "%06" PRIu64, v[i]);
		strbuf_add_u64_pad(&sb, v[i], 6, '0');
		same(&sb, want);
		snprintf(want, sizeof(want), "%5" PRIu64, v[i]);
		strbuf_add_u64_pad(&sb, v[i], 5, ' ');
		same(&sb, want);
	}
	strbuf_release(&sb);
}

static void test_appends(void **state)
{
	(void)state;
	struct strbuf sb = STRBUF_INIT;
	strbuf_addstr(&sb, "write(");
	strbuf_add_i64(&sb, 3);
	strbuf_addstr(&sb, ", ");
	strbuf_add_hex(&sb, 0x7ffd1234);
	strbuf_addstr(&sb, ") = ");
	strbuf_add_i64(&sb, -1);
	same(&sb, "write(3, 0x7ffd1234) = -1");
	strbuf_release(&sb);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_like_printf),
		cmocka_unit_test(test_appends),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
