/* Unit tests for dissect/core/cursor.h: the bounds-checked wire reader. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "cursor.h"

static const uint8_t bytes8[8] = { 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08 };

/* ---- readers ------------------------------------------------------------------ */

static void test_u8_reads_one_byte(void **state)
{
    (void)state;
    struct cursor c = cursor_make(bytes8, 2);
    assert_int_equal(cursor_u8(&c), 0x01);
    assert_int_equal(cursor_u8(&c), 0x02);
    assert_int_equal(c.pos, 2);
    assert_true(cursor_ok(&c));
    assert_true(cursor_at_end(&c));
}

static void test_be16_be24_be32_are_big_endian(void **state)
{
    (void)state;
    struct cursor c = cursor_make(bytes8, 8);
    assert_int_equal(cursor_be16(&c), 0x0102);
    assert_int_equal(cursor_be24(&c), 0x030405);
    assert_int_equal(cursor_remaining(&c), 3);
    c = cursor_make(bytes8, 8);
    cursor_skip(&c, 4);
    assert_int_equal(cursor_be32(&c), 0x05060708u);
    assert_true(cursor_ok(&c));
    assert_true(cursor_at_end(&c));
}

static void test_be32_high_bit_is_unsigned(void **state)
{
    (void)state;
    static const uint8_t ff[4] = { 0xFF, 0xFE, 0xFD, 0xFC };
    struct cursor c = cursor_make(ff, 4);
    assert_int_equal(cursor_be32(&c), 0xFFFEFDFCu);
}

static void test_le16_le32_are_little_endian(void **state)
{
    (void)state;
    struct cursor c = cursor_make(bytes8, 6);
    assert_int_equal(cursor_le16(&c), 0x0201);
    assert_int_equal(cursor_le32(&c), 0x06050403u);
    assert_true(cursor_ok(&c));
    assert_true(cursor_at_end(&c));
}

static void test_skip_moves_without_reading(void **state)
{
    (void)state;
    struct cursor c = cursor_make(bytes8, 8);
    cursor_skip(&c, 5);
    assert_int_equal(c.pos, 5);
    assert_int_equal(cursor_u8(&c), 0x06);
    cursor_skip(&c, 0);
    assert_int_equal(c.pos, 6);
    assert_true(cursor_ok(&c));
}

static void test_bytes_returns_pointer_into_data(void **state)
{
    (void)state;
    struct cursor c = cursor_make(bytes8, 8);
    cursor_skip(&c, 1);
    const uint8_t *p = cursor_bytes(&c, 3);
    assert_ptr_equal(p, bytes8 + 1);
    assert_int_equal(c.pos, 4);
    assert_ptr_equal(cursor_here(&c), bytes8 + 4);
}

static void test_bytes_past_end_is_null_and_truncated(void **state)
{
    (void)state;
    struct cursor c = cursor_make(bytes8, 3);
    assert_null(cursor_bytes(&c, 4));
    assert_int_equal(c.status, PARSE_TRUNCATED);
    assert_int_equal(c.pos, 0);
}

static void test_sub_splits_off_n_bytes(void **state)
{
    (void)state;
    struct cursor c = cursor_make(bytes8, 8);
    cursor_skip(&c, 2);
    struct cursor sub = cursor_sub(&c, 3);
    assert_true(cursor_ok(&sub));
    assert_ptr_equal(sub.data, bytes8 + 2);
    assert_int_equal(sub.len, 3);
    assert_int_equal(sub.pos, 0);
    assert_int_equal(c.pos, 5);
    assert_int_equal(cursor_be24(&sub), 0x030405);
    assert_true(cursor_at_end(&sub));
    /* The parent goes on after the sub-cursor's bytes. */
    assert_int_equal(cursor_u8(&c), 0x06);
}

static void test_sub_of_exactly_the_remaining_bytes(void **state)
{
    (void)state;
    struct cursor c = cursor_make(bytes8, 8);
    cursor_skip(&c, 3);
    struct cursor sub = cursor_sub(&c, 5);
    assert_true(cursor_ok(&sub));
    assert_true(cursor_ok(&c));
    assert_int_equal(sub.len, 5);
    assert_true(cursor_at_end(&c));
}

static void test_sub_past_end_truncates_parent_and_child(void **state)
{
    (void)state;
    struct cursor c = cursor_make(bytes8, 8);
    cursor_skip(&c, 3);
    struct cursor sub = cursor_sub(&c, 6);
    assert_int_equal(c.status, PARSE_TRUNCATED);
    assert_int_equal(sub.status, PARSE_TRUNCATED);
    assert_int_equal(sub.len, 0);
    assert_int_equal(cursor_remaining(&sub), 0);
    assert_int_equal(cursor_u8(&sub), 0);
}

static void test_rest_takes_everything_left(void **state)
{
    (void)state;
    struct cursor c = cursor_make(bytes8, 8);
    cursor_skip(&c, 6);
    struct cursor rest = cursor_rest(&c);
    assert_true(cursor_ok(&rest));
    assert_int_equal(rest.len, 2);
    assert_int_equal(cursor_be16(&rest), 0x0708);
    assert_true(cursor_at_end(&c));
    assert_true(cursor_ok(&c));
}

static void test_rest_at_end_is_empty_and_ok(void **state)
{
    (void)state;
    struct cursor c = cursor_make(bytes8, 8);
    cursor_skip(&c, 8);
    struct cursor rest = cursor_rest(&c);
    assert_true(cursor_ok(&rest));
    assert_int_equal(rest.len, 0);
    assert_true(cursor_ok(&c));
}

/* ---- length-prefixed vectors ---------------------------------------------------- */

static void test_vec8_vec16_vec24_read_their_prefix(void **state)
{
    (void)state;
    static const uint8_t msg[] = {
        0x02, 0xAA, 0xBB,                   /* vec8: 2 bytes */
        0x00, 0x01, 0xCC,                   /* vec16: 1 byte */
        0x00, 0x00, 0x03, 0xDD, 0xEE, 0xFF, /* vec24: 3 bytes */
        0x99,
    };
    struct cursor c = cursor_make(msg, sizeof msg);
    struct cursor v8 = cursor_vec8(&c);
    struct cursor v16 = cursor_vec16(&c);
    struct cursor v24 = cursor_vec24(&c);
    assert_true(cursor_ok(&c));
    assert_int_equal(v8.len, 2);
    assert_int_equal(cursor_be16(&v8), 0xAABB);
    assert_int_equal(v16.len, 1);
    assert_int_equal(cursor_u8(&v16), 0xCC);
    assert_int_equal(v24.len, 3);
    assert_int_equal(cursor_be24(&v24), 0xDDEEFF);
    assert_int_equal(cursor_u8(&c), 0x99);
    assert_true(cursor_at_end(&c));
}

static void test_zero_length_vectors_are_ok_and_empty(void **state)
{
    (void)state;
    static const uint8_t msg[] = { 0x00, 0x00, 0x00, 0x00, 0x00, 0x00 };
    struct cursor c = cursor_make(msg, sizeof msg);
    struct cursor v8 = cursor_vec8(&c);
    struct cursor v16 = cursor_vec16(&c);
    struct cursor v24 = cursor_vec24(&c);
    assert_true(cursor_ok(&c));
    assert_true(cursor_ok(&v8) && cursor_ok(&v16) && cursor_ok(&v24));
    assert_int_equal(v8.len + v16.len + v24.len, 0);
    assert_true(cursor_at_end(&v8));
    assert_true(cursor_at_end(&c));
}

static void test_vec8_length_past_end_truncates_both(void **state)
{
    (void)state;
    static const uint8_t msg[] = { 0x05, 0x01, 0x02 };
    struct cursor c = cursor_make(msg, sizeof msg);
    struct cursor v = cursor_vec8(&c);
    assert_int_equal(c.status, PARSE_TRUNCATED);
    assert_int_equal(v.status, PARSE_TRUNCATED);
    assert_int_equal(cursor_remaining(&v), 0);
}

static void test_vec16_length_past_end_truncates_both(void **state)
{
    (void)state;
    static const uint8_t msg[] = { 0x01, 0x00, 0x01, 0x02 };
    struct cursor c = cursor_make(msg, sizeof msg);
    struct cursor v = cursor_vec16(&c);
    assert_int_equal(c.status, PARSE_TRUNCATED);
    assert_int_equal(v.status, PARSE_TRUNCATED);
}

static void test_vec24_length_past_end_truncates_both(void **state)
{
    (void)state;
    static const uint8_t msg[] = { 0x00, 0x00, 0x04, 0x01, 0x02, 0x03 };
    struct cursor c = cursor_make(msg, sizeof msg);
    struct cursor v = cursor_vec24(&c);
    assert_int_equal(c.status, PARSE_TRUNCATED);
    assert_int_equal(v.status, PARSE_TRUNCATED);
}

static void test_vec_prefix_itself_cut_truncates_both(void **state)
{
    (void)state;
    static const uint8_t msg[] = { 0x00 };
    struct cursor c = cursor_make(msg, sizeof msg);
    struct cursor v = cursor_vec16(&c);
    assert_int_equal(c.status, PARSE_TRUNCATED);
    assert_int_equal(v.status, PARSE_TRUNCATED);
}

/* ---- sticky failures --------------------------------------------------------------- */

static void test_every_reader_past_end_is_truncated(void **state)
{
    (void)state;
    struct cursor c;
    c = cursor_make(bytes8, 0); assert_int_equal(cursor_u8(&c), 0);   assert_int_equal(c.status, PARSE_TRUNCATED);
    c = cursor_make(bytes8, 1); assert_int_equal(cursor_be16(&c), 0); assert_int_equal(c.status, PARSE_TRUNCATED);
    c = cursor_make(bytes8, 2); assert_int_equal(cursor_be24(&c), 0); assert_int_equal(c.status, PARSE_TRUNCATED);
    c = cursor_make(bytes8, 3); assert_int_equal(cursor_be32(&c), 0); assert_int_equal(c.status, PARSE_TRUNCATED);
    c = cursor_make(bytes8, 1); assert_int_equal(cursor_le16(&c), 0); assert_int_equal(c.status, PARSE_TRUNCATED);
    c = cursor_make(bytes8, 3); assert_int_equal(cursor_le32(&c), 0); assert_int_equal(c.status, PARSE_TRUNCATED);
    c = cursor_make(bytes8, 3); cursor_skip(&c, 4);                   assert_int_equal(c.status, PARSE_TRUNCATED);
    /* A failed read does not move the position. */
    assert_int_equal(c.pos, 0);
}

static void test_truncated_is_sticky_later_reads_return_zero(void **state)
{
    (void)state;
    struct cursor c = cursor_make(bytes8, 3);
    assert_int_equal(cursor_be32(&c), 0);
    assert_int_equal(c.status, PARSE_TRUNCATED);
    /* Bytes are still there, but every later read fails. */
    assert_int_equal(cursor_u8(&c), 0);
    assert_int_equal(cursor_be16(&c), 0);
    assert_int_equal(cursor_le16(&c), 0);
    assert_null(cursor_bytes(&c, 1));
    cursor_skip(&c, 0);
    assert_int_equal(c.status, PARSE_TRUNCATED);
    assert_int_equal(c.pos, 0);
    assert_int_equal(cursor_remaining(&c), 0);
    assert_true(cursor_at_end(&c));
    assert_false(cursor_ok(&c));
}

static void test_sub_of_failed_cursor_is_truncated(void **state)
{
    (void)state;
    struct cursor c = cursor_make(bytes8, 8);
    cursor_fail(&c, PARSE_INVALID);
    struct cursor sub = cursor_sub(&c, 1);
    assert_int_equal(sub.status, PARSE_TRUNCATED);
    /* The parent keeps its own, first failure. */
    assert_int_equal(c.status, PARSE_INVALID);
}

static void test_fail_keeps_first_failure_invalid_then_truncated(void **state)
{
    (void)state;
    struct cursor c = cursor_make(bytes8, 1);
    cursor_fail(&c, PARSE_INVALID);
    assert_int_equal(c.status, PARSE_INVALID);
    cursor_be16(&c); /* would truncate, but INVALID came first */
    cursor_fail(&c, PARSE_TRUNCATED);
    assert_int_equal(c.status, PARSE_INVALID);
}

static void test_fail_keeps_first_failure_truncated_then_invalid(void **state)
{
    (void)state;
    struct cursor c = cursor_make(bytes8, 1);
    cursor_be16(&c);
    assert_int_equal(c.status, PARSE_TRUNCATED);
    cursor_fail(&c, PARSE_INVALID);
    assert_int_equal(c.status, PARSE_TRUNCATED);
}

static void test_fail_with_ok_changes_nothing(void **state)
{
    (void)state;
    struct cursor c = cursor_make(bytes8, 8);
    cursor_fail(&c, PARSE_OK);
    assert_true(cursor_ok(&c));
    assert_int_equal(cursor_u8(&c), 0x01);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_u8_reads_one_byte),
        cmocka_unit_test(test_be16_be24_be32_are_big_endian),
        cmocka_unit_test(test_be32_high_bit_is_unsigned),
        cmocka_unit_test(test_le16_le32_are_little_endian),
        cmocka_unit_test(test_skip_moves_without_reading),
        cmocka_unit_test(test_bytes_returns_pointer_into_data),
        cmocka_unit_test(test_bytes_past_end_is_null_and_truncated),
        cmocka_unit_test(test_sub_splits_off_n_bytes),
        cmocka_unit_test(test_sub_of_exactly_the_remaining_bytes),
        cmocka_unit_test(test_sub_past_end_truncates_parent_and_child),
        cmocka_unit_test(test_rest_takes_everything_left),
        cmocka_unit_test(test_rest_at_end_is_empty_and_ok),
        cmocka_unit_test(test_vec8_vec16_vec24_read_their_prefix),
        cmocka_unit_test(test_zero_length_vectors_are_ok_and_empty),
        cmocka_unit_test(test_vec8_length_past_end_truncates_both),
        cmocka_unit_test(test_vec16_length_past_end_truncates_both),
        cmocka_unit_test(test_vec24_length_past_end_truncates_both),
        cmocka_unit_test(test_vec_prefix_itself_cut_truncates_both),
        cmocka_unit_test(test_every_reader_past_end_is_truncated),
        cmocka_unit_test(test_truncated_is_sticky_later_reads_return_zero),
        cmocka_unit_test(test_sub_of_failed_cursor_is_truncated),
        cmocka_unit_test(test_fail_keeps_first_failure_invalid_then_truncated),
        cmocka_unit_test(test_fail_keeps_first_failure_truncated_then_invalid),
        cmocka_unit_test(test_fail_with_ok_changes_nothing),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
