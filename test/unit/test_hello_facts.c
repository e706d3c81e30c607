/* Unit tests for analyzer/facts/hello_facts.c: a hello kept as a record renders
 * the same facts, fingerprints included, whether it was fingerprinted at
 * once (large) or when its JSON was made (small). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tls_build.h"
#include "fingerprint.h"
#include "hello_facts.h"

static const char *str(const cJSON *o, const char *key) { return cJSON_GetStringValue(cJSON_GetObjectItem(o, key)); }

/* The JSON's fingerprints are those of the view the event carried. */
static void check_fingerprints(const struct tls_client_hello *ch)
{
    char ja3[JA3_TEXT_MAX], md5[33], ja4[40];
    fingerprint_ja3(ch, ja3, sizeof ja3, md5);
    fingerprint_ja4(ch, ja4);
    struct client_hello_facts *h = client_hello_facts_record(ch, 7, 1500000);
    assert_non_null(h);
    cJSON *o = client_hello_facts_json(h);
    assert_string_equal(str(o, "ja3"), ja3);
    assert_string_equal(str(o, "ja3_hash"), md5);
    assert_string_equal(str(o, "ja4"), ja4);
    assert_int_equal(cJSON_GetNumberValue(cJSON_GetObjectItem(o, "frame")), 7);
    assert_true(cJSON_GetNumberValue(cJSON_GetObjectItem(o, "time_ms")) == 1.5);
    assert_string_equal(str(o, "sni"), CH_SNI);
    cJSON_Delete(o);
    client_hello_facts_free(h);
}

static void test_small_hello_fingerprinted_later(void **state)
{
    (void)state;
    struct bytebuf body = { .len = 0 };
    build_client_hello(&body);
    assert_true(body.len <= HELLO_RAW_MAX);
    struct tls_client_hello ch;
    assert_int_equal(tls_parse_client_hello(body.data, body.len, &ch), PARSE_OK);
    struct client_hello_facts *h = client_hello_facts_record(&ch, 1, 0);
    assert_non_null(h->raw);   /* kept as bytes */
    client_hello_facts_free(h);
    check_fingerprints(&ch);
}

/* Over HELLO_RAW_MAX (a padding extension): fingerprinted at once. */
static void test_large_hello_fingerprinted_at_once(void **state)
{
    (void)state;
    struct bytebuf body = { .len = 0 };
    put_client_hello_prefix(&body);
    size_t exts = bb_open(&body, 2);
    put_client_extensions(&body);
    size_t pad = ext_begin(&body, 21);
    bb_fill(&body, 0, HELLO_RAW_MAX);
    ext_end(&body, pad);
    bb_close(&body, exts, 2);
    struct tls_client_hello ch;
    assert_int_equal(tls_parse_client_hello(body.data, body.len, &ch), PARSE_OK);
    struct client_hello_facts *h = client_hello_facts_record(&ch, 1, 0);
    assert_null(h->raw);
    assert_non_null(h->ja3);
    client_hello_facts_free(h);
    check_fingerprints(&ch);
}

static void test_server_hello_ja3s(void **state)
{
    (void)state;
    struct bytebuf body = { .len = 0 };
    build_server_hello(&body, 0x33, 0xc02f, 0x0304, "h2");
    struct tls_server_hello sh;
    assert_int_equal(tls_parse_server_hello(body.data, body.len, 2, &sh), PARSE_OK);
    char ja3s[JA3_TEXT_MAX], md5[33];
    fingerprint_ja3s(&sh, ja3s, sizeof ja3s, md5);
    struct server_hello_facts *h = server_hello_facts_record(&sh, 9, 0);
    assert_non_null(h);
    assert_int_equal(h->version, 0x0304);
    cJSON *o = server_hello_facts_json(h);
    assert_string_equal(str(o, "ja3s"), ja3s);
    assert_string_equal(str(o, "ja3s_hash"), md5);
    assert_string_equal(str(o, "alpn"), "h2");
    assert_string_equal(str(o, "version_name"), "TLS 1.3");
    assert_string_equal(str(o, "cipher_suite_name"), "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256");
    cJSON_Delete(o);
    server_hello_facts_free(h);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_small_hello_fingerprinted_later),
        cmocka_unit_test(test_large_hello_fingerprinted_at_once),
        cmocka_unit_test(test_server_hello_ja3s),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
