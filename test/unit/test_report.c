/* Tests for the report model's diff (analyzer/report/report.h): list facts
 * compared as sets, rows hidden when equal or absent on both sides, which
 * DNS lookups belong to a connection, the warnings of inputs that are not a
 * working and a failing capture; and how the text view says them. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report.h"
#include "report_format.h"

static cJSON *parse(const char *json)
{
    cJSON *v = cJSON_Parse(json);
    assert_non_null(v);
    return v;
}

/* The difference of one fact, or NULL. */
static const cJSON *row(const cJSON *diffs, const char *fact)
{
    const cJSON *d;
    cJSON_ArrayForEach(d, diffs)
        if (!strcmp(cJSON_GetStringValue(cJSON_GetObjectItem(d, "fact")), fact))
            return d;
    return NULL;
}

static void assert_json(const cJSON *value, const char *want)
{
    cJSON *w = parse(want);
    char *got = cJSON_PrintUnformatted(value);
    if (!cJSON_Compare(value, w, true))
        fail_msg("got %s, want %s", got ? got : "(nothing)", want);
    free(got);
    cJSON_Delete(w);
}

static cJSON *differences_of(const char *good_conn, const char *bad_conn)
{
    cJSON *good = parse(good_conn), *bad = parse(bad_conn), *capture = parse("{}");
    cJSON *diffs = report_differences(good, bad, capture, capture);
    cJSON_Delete(good);
    cJSON_Delete(bad);
    cJSON_Delete(capture);
    return diffs;
}

static void test_lists_as_sets(void **state)
{
    (void)state;
    cJSON *diffs = differences_of("{\"tls\": {\"client_hello\": {\"cipher_suites\": [49200, 49199, 53, 47],"
                                  " \"alpn\": [\"h2\", \"http/1.1\"]}}}",
                                  "{\"tls\": {\"client_hello\": {\"cipher_suites\": [53, 47, 10, 10],"
                                  " \"alpn\": [\"http/1.1\"]}}}");
    const cJSON *suites = row(diffs, "tls.client_hello.cipher_suites");
    assert_non_null(suites);
    /* In bad's order and each once; the lists themselves as they are. */
    assert_json(cJSON_GetObjectItem(suites, "added"), "[10]");
    assert_json(cJSON_GetObjectItem(suites, "removed"), "[49200, 49199]");
    assert_json(cJSON_GetObjectItem(suites, "bad"), "[53, 47, 10, 10]");
    const cJSON *alpn = row(diffs, "tls.client_hello.alpn");
    assert_json(cJSON_GetObjectItem(alpn, "added"), "[]");
    assert_json(cJSON_GetObjectItem(alpn, "removed"), "[\"h2\"]");
    cJSON_Delete(diffs);
}

static void test_order_only(void **state)
{
    (void)state;
    cJSON *diffs = differences_of("{\"tls\": {\"client_hello\": {\"groups\": [29, 23, 24]}}}",
                                  "{\"tls\": {\"client_hello\": {\"groups\": [23, 24, 29]}}}");
    const cJSON *groups = row(diffs, "tls.client_hello.groups");
    assert_non_null(groups);
    assert_json(cJSON_GetObjectItem(groups, "added"), "[]");
    assert_json(cJSON_GetObjectItem(groups, "removed"), "[]");
    cJSON_Delete(diffs);
}

static void test_hidden_rows(void **state)
{
    (void)state;
    /* Equal, absent on both sides, null on one and absent on the other. */
    cJSON *diffs = differences_of("{\"verdict\": \"failed\", \"path\": null, \"tls\": {\"client_hello\":"
                                  " {\"cipher_suites\": [53, 47], \"sni\": \"a.example\"}}}",
                                  "{\"verdict\": \"failed\", \"tls\": {\"client_hello\":"
                                  " {\"cipher_suites\": [53, 47], \"sni\": \"a.example\"}}}");
    assert_int_equal(cJSON_GetArraySize(diffs), 0);
    cJSON_Delete(diffs);
}

static void test_list_on_one_side(void **state)
{
    (void)state;
    /* No Client Hello in the failing capture: the list is all there is. */
    cJSON *diffs = differences_of("{\"tls\": {\"client_hello\": {\"extensions\": [0, 10]}}}", "{}");
    const cJSON *ext = row(diffs, "tls.client_hello.extensions");
    assert_non_null(ext);
    assert_true(cJSON_IsNull(cJSON_GetObjectItem(ext, "bad")));
    assert_null(cJSON_GetObjectItem(ext, "added"));
    assert_null(cJSON_GetObjectItem(ext, "removed"));
    cJSON_Delete(diffs);
}

/* Two attempts to one server, each resolving before its SYN (7, then 16),
 * a revocation lookup while the first was open, and lookups of other
 * names, one of them answered with the server's address. */
static const char *const retry_facts =
    "{\"connections\": ["
    " {\"id\": 1, \"server\": \"203.0.113.10:443\", \"server_ip\": \"203.0.113.10\","
    "  \"server_name\": \"a.example\", \"first_frame\": 7, \"last_frame\": 11, \"tcp\": {\"syn_frame\": 7}},"
    " {\"id\": 2, \"server\": \"203.0.113.10:443\", \"server_ip\": \"203.0.113.10\","
    "  \"server_name\": \"a.example\", \"first_frame\": 16, \"last_frame\": 30, \"tcp\": {\"syn_frame\": 16}}],"
    " \"dns\": {\"lookups\": ["
    "  {\"name\": \"a.example\", \"role\": \"target\", \"query_frame\": 3, \"answers\": [\"203.0.113.10\"]},"
    "  {\"name\": \"A.Example\", \"role\": \"target\", \"query_frame\": 4, \"answers\": []},"
    "  {\"name\": \"b.example\", \"role\": \"target\", \"query_frame\": 5, \"answers\": [\"198.51.100.1\"]},"
    "  {\"name\": \"ocsp.example\", \"role\": \"revocation\", \"query_frame\": 9, \"answers\": []},"
    "  {\"name\": \"a.example\", \"role\": \"target\", \"query_frame\": 12, \"answers\": [\"203.0.113.10\"]},"
    "  {\"name\": \"cdn.example\", \"role\": \"target\", \"response_frame\": 14, \"answers\": [\"203.0.113.10\"]},"
    "  {\"name\": \"a.example\", \"role\": \"target\", \"query_frame\": 20, \"answers\": [\"203.0.113.10\"]}]}}";

static void test_lookups_of_connection(void **state)
{
    (void)state;
    cJSON *facts = parse(retry_facts);
    const cJSON *first = cJSON_GetArrayItem(cJSON_GetObjectItem(facts, "connections"), 0);
    const cJSON *retry = cJSON_GetArrayItem(cJSON_GetObjectItem(facts, "connections"), 1);
    const cJSON *lookups = cJSON_GetObjectItem(cJSON_GetObjectItem(facts, "dns"), "lookups");
    /* Per lookup: whether it is the first attempt's, the retry's. */
    static const bool of_first[] = { true, true, false, true, false, false, false };
    static const bool of_retry[] = { false, false, false, false, true, true, false };
    for (int i = 0; i < cJSON_GetArraySize(lookups); i++) {
        const cJSON *l = cJSON_GetArrayItem(lookups, i);
        if (report_lookup_of_connection(facts, first, l) != of_first[i] ||
            report_lookup_of_connection(facts, retry, l) != of_retry[i])
            fail_msg("lookup %d: first %d (want %d), retry %d (want %d)", i,
                     report_lookup_of_connection(facts, first, l), of_first[i],
                     report_lookup_of_connection(facts, retry, l), of_retry[i]);
        /* No connection: nothing to tell them apart by. */
        assert_true(report_lookup_of_connection(facts, NULL, l));
    }
    cJSON_Delete(facts);
}

static void test_dns_answers_of_the_connection(void **state)
{
    (void)state;
    cJSON *facts = parse(retry_facts);
    cJSON *conns = cJSON_GetObjectItem(facts, "connections");
    /* The retry re-resolved to another address: its answers, not the
     * capture's first lookup's. */
    cJSON *l12 = cJSON_GetArrayItem(cJSON_GetObjectItem(cJSON_GetObjectItem(facts, "dns"), "lookups"), 4);
    cJSON_ReplaceItemInObject(l12, "answers", parse("[\"192.0.2.99\"]"));
    cJSON *good = parse("{\"connections\": [{\"id\": 1, \"server\": \"203.0.113.10:443\","
                        " \"server_name\": \"a.example\", \"first_frame\": 3, \"tcp\": {\"syn_frame\": 3}}],"
                        " \"dns\": {\"lookups\": [{\"name\": \"a.example\", \"role\": \"target\","
                        " \"query_frame\": 1, \"answers\": [\"203.0.113.10\"]}]}}");
    const cJSON *good_conn = cJSON_GetArrayItem(cJSON_GetObjectItem(good, "connections"), 0);
    cJSON *diffs = report_differences(good_conn, cJSON_GetArrayItem(conns, 1), good, facts);
    const cJSON *dns = row(diffs, "capture.dns.lookups.*.answers");
    assert_non_null(dns);
    assert_json(cJSON_GetObjectItem(dns, "bad"), "[\"192.0.2.99\", \"203.0.113.10\"]");
    assert_json(cJSON_GetObjectItem(dns, "added"), "[\"192.0.2.99\"]");
    cJSON_Delete(diffs);
    /* The first attempt resolved as the working endpoint did: no row. */
    diffs = report_differences(good_conn, cJSON_GetArrayItem(conns, 0), good, facts);
    assert_null(row(diffs, "capture.dns.lookups.*.answers"));
    cJSON_Delete(diffs);
    /* A retry that resolved nothing anew used the earlier attempt's
     * answers: compared by those, no row either. */
    cJSON_DeleteItemFromArray(cJSON_GetObjectItem(cJSON_GetObjectItem(facts, "dns"), "lookups"), 5);
    cJSON_DeleteItemFromArray(cJSON_GetObjectItem(cJSON_GetObjectItem(facts, "dns"), "lookups"), 4);
    diffs = report_differences(good_conn, cJSON_GetArrayItem(conns, 1), good, facts);
    assert_null(row(diffs, "capture.dns.lookups.*.answers"));
    cJSON_Delete(diffs);
    cJSON_Delete(good);
    cJSON_Delete(facts);
}

static const char *warning_code(const char *good_cause, const char *bad_cause)
{
    static char code[32];
    char json[128];
    snprintf(json, sizeof json, "{\"diagnosis\": {\"cause\": \"%s\"}}", good_cause);
    cJSON *good = parse(json);
    snprintf(json, sizeof json, "{\"diagnosis\": {\"cause\": \"%s\"}}", bad_cause);
    cJSON *bad = parse(json);
    cJSON *w = report_diff_warnings(good, bad);
    const cJSON *first = cJSON_GetArrayItem(w, 0);
    snprintf(code, sizeof code, "%s", w ? cJSON_GetStringValue(cJSON_GetObjectItem(first, "code")) : "none");
    if (w) {
        assert_int_equal(cJSON_GetArraySize(w), 1);
        assert_non_null(strstr(cJSON_GetStringValue(cJSON_GetObjectItem(first, "message")), good_cause));
        assert_string_equal(cJSON_GetStringValue(cJSON_GetObjectItem(first, "bad_cause")), bad_cause);
    }
    cJSON_Delete(w);
    cJSON_Delete(good);
    cJSON_Delete(bad);
    return code;
}

static void test_diff_warnings(void **state)
{
    (void)state;
    assert_string_equal(warning_code("success", "tls_no_shared_cipher"), "none");
    assert_string_equal(warning_code("tls_no_shared_cipher", "success"), "inputs_swapped");
    assert_string_equal(warning_code("connection_reset_after_client_hello", "tls_no_shared_cipher"),
                        "good_not_working");
    assert_string_equal(warning_code("success", "success"), "bad_succeeded");
    /* Unsure is not working either. */
    assert_string_equal(warning_code("tls_failure_other", "server_connect_failure"), "good_not_working");
}

/* What the text view writes for a diff report with these differences and
 * warnings. */
static char *diff_text(const char *differences, const char *warnings)
{
    char json[4096];
    snprintf(json, sizeof json,
             "{\"mode\": \"diff\", \"diagnosis\": {\"cause\": \"tls_no_shared_cipher\", \"title\": \"T\","
             " \"severity\": \"critical\", \"remedy\": \"R\"}, \"captures\": {\"bad\": {}, \"good\": {}},"
             " \"inputs\": [], \"differences\": %s%s%s}",
             differences, warnings ? ", \"warnings\": " : "", warnings ? warnings : "");
    cJSON *r = parse(json);
    char *text = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&text, &len);
    assert_non_null(out);
    assert_true(report_write_text(out, r));
    fclose(out);
    cJSON_Delete(r);
    for (char *line = text, *end; *line; line = end + 1) {
        end = strchr(line, '\n');
        assert_non_null(end);
        if (end - line > 79)
            fail_msg("a line of %d columns: %.*s", (int)(end - line), (int)(end - line), line);
    }
    return text;
}

/* text with every run of spaces and line breaks as one space. */
static char *squeezed(const char *text)
{
    char *out = malloc(strlen(text) + 1), *o = out;
    for (const char *p = text; *p; p++)
        if (!(*p == ' ' || *p == '\n') || (o > out && o[-1] != ' '))
            *o++ = *p == '\n' ? ' ' : *p;
    *o = '\0';
    return out;
}

static void test_text_lists(void **state)
{
    (void)state;
    char *text = diff_text("[{\"fact\": \"tls.client_hello.cipher_suites\", \"label\": \"cipher suites offered\","
                           " \"good\": [49200, 49199, 53], \"bad\": [53, 4865], \"added\": [4865],"
                           " \"removed\": [49200, 49199]},"
                           " {\"fact\": \"tls.client_hello.groups\", \"label\": \"supported groups\","
                           " \"good\": [29, 23, 24], \"bad\": [23, 24, 29], \"added\": [], \"removed\": []},"
                           " {\"fact\": \"tls.certificate.chain.0.san\", \"label\": \"certificate names (SAN)\","
                           " \"good\": [\"a.example\"], \"bad\": [\"b.example\"], \"added\": [\"b.example\"],"
                           " \"removed\": [\"a.example\"]}]", NULL);
    char *flat = squeezed(text);
    assert_non_null(strstr(flat, "cipher suites offered: 3 items -> 2 items; removed "
                                 "0xc030 TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384, "
                                 "0xc02f TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256; "
                                 "added 0x1301 TLS_AES_128_GCM_SHA256"));
    assert_non_null(strstr(flat, "supported groups: same 3 items, order differs"));
    assert_non_null(strstr(flat, "certificate names (SAN): 1 item -> 1 item; removed a.example; added b.example"));
    /* A code point and its name are never split over two lines. */
    assert_null(strstr(text, "0xc030\n"));
    assert_null(strstr(text, "0xc02f\n"));
    free(flat);
    free(text);
}

static void test_text_long_list(void **state)
{
    (void)state;
    /* 20 suites removed: 16 named, then how many more. */
    char suites[256] = "", differences[1024];
    for (int i = 0; i < 20; i++)
        snprintf(suites + strlen(suites), sizeof suites - strlen(suites), "%s%d", i ? ", " : "", 49152 + i);
    snprintf(differences, sizeof differences, "[{\"fact\": \"tls.client_hello.cipher_suites\", \"label\":"
             " \"cipher suites offered\", \"good\": [%s], \"bad\": [], \"added\": [], \"removed\": [%s]}]",
             suites, suites);
    char *text = diff_text(differences, NULL);
    char *flat = squeezed(text);
    assert_non_null(strstr(flat, "cipher suites offered: 20 items -> 0 items; removed 0xc000"));
    assert_non_null(strstr(flat, "0xc00f TLS_ECDH_RSA_WITH_AES_256_CBC_SHA, and 4 more"));
    assert_null(strstr(flat, "0xc010"));
    free(flat);
    free(text);
}

static void test_text_warning_after_verdict(void **state)
{
    (void)state;
    char *text = diff_text("[]", "[{\"code\": \"inputs_swapped\", \"message\": \"The inputs look swapped: the"
                                 " working capture (--good) is diagnosed tls_no_shared_cipher and the failing"
                                 " one (--bad) success.\"}]");
    /* In the verdict's paragraph, after its fix: read before anything else. */
    char *warning = strstr(text, "\nWarning The inputs look swapped");
    assert_non_null(warning);
    char *fix = strstr(text, "\nFix ");
    char *blank = strstr(text, "\n\n");
    assert_true(fix && fix < warning && blank && warning < blank);
    free(text);
    text = diff_text("[]", NULL);
    assert_null(strstr(text, "Warning"));
    free(text);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_lists_as_sets),
        cmocka_unit_test(test_order_only),
        cmocka_unit_test(test_hidden_rows),
        cmocka_unit_test(test_list_on_one_side),
        cmocka_unit_test(test_lookups_of_connection),
        cmocka_unit_test(test_dns_answers_of_the_connection),
        cmocka_unit_test(test_diff_warnings),
        cmocka_unit_test(test_text_lists),
        cmocka_unit_test(test_text_long_list),
        cmocka_unit_test(test_text_warning_after_verdict),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
