/* Tests for the output-format table (analyzer/report/report_format.h): the
 * names the command line offers, documents of one report and of several in
 * each format, and the HTML page keeping a capture's strings text. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report_format.h"

static void test_names(void **state)
{
    (void)state;
    assert_string_equal(report_formats[0].name, "text");   /* the default */
    assert_ptr_equal(report_format_find("json"), &report_formats[1]);
    assert_null(report_format_find("xml"));
    assert_null(report_format_find(""));
    char names[64];
    report_format_names(names, sizeof names, "|", "|");
    assert_string_equal(names, "text|json|html");
    report_format_names(names, sizeof names, ", ", " or ");
    assert_string_equal(names, "text, json or html");
    report_format_names(names, 6, "|", "|");   /* cut, still terminated */
    assert_string_equal(names, "text|");
}

/* A small report with what the text view reads. */
static cJSON *small_report(const char *cause)
{
    cJSON *r = cJSON_CreateObject();
    cJSON_AddStringToObject(r, "mode", "analyze");
    cJSON *d = cJSON_AddObjectToObject(r, "diagnosis");
    cJSON_AddStringToObject(d, "cause", cause);
    cJSON_AddStringToObject(d, "title", "a title");
    cJSON_AddStringToObject(d, "severity", "critical");
    cJSON_AddItemToObject(r, "captures", cJSON_CreateObject());
    cJSON_AddItemToObject(r, "inputs", cJSON_CreateArray());
    return r;
}

/* What f writes for one report, as a string (freed by the caller). */
static char *document_of_one(const struct report_format *f, const cJSON *report)
{
    char *text = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&text, &len);
    assert_non_null(out);
    assert_true(report_format_write_one(f, out, report));
    fclose(out);
    return text;
}

static void test_json_documents(void **state)
{
    (void)state;
    const struct report_format *json = report_format_find("json");
    cJSON *a = small_report("tls_no_shared_cipher"), *b = small_report("success");

    char *one = document_of_one(json, a);
    size_t n = strlen(one);
    assert_true(n > 2 && one[n - 1] == '\n' && one[n - 2] == '}');
    cJSON *back = cJSON_Parse(one);
    assert_true(cJSON_Compare(back, a, true));
    cJSON_Delete(back);
    free(one);

    /* Several: one JSON array of the reports, in order. */
    char *text = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&text, &len);
    fputs(json->open_many, out);
    assert_true(json->write(out, a));
    fputs(json->between, out);
    assert_true(json->write(out, b));
    fputs(json->close_many, out);
    fclose(out);
    cJSON *array = cJSON_Parse(text);
    assert_int_equal(cJSON_GetArraySize(array), 2);
    assert_true(cJSON_Compare(cJSON_GetArrayItem(array, 0), a, true));
    assert_true(cJSON_Compare(cJSON_GetArrayItem(array, 1), b, true));
    cJSON_Delete(array);
    free(text);
    cJSON_Delete(a);
    cJSON_Delete(b);
}

static void test_text_document(void **state)
{
    (void)state;
    const struct report_format *text_format = report_format_find("text");
    cJSON *r = small_report("tls_no_shared_cipher");
    char *text = document_of_one(text_format, r);
    assert_non_null(strstr(text, "tls_no_shared_cipher: a title"));
    assert_int_equal(text[strlen(text) - 1], '\n');
    assert_false(text_format->shows_digests);
    assert_true(report_format_find("json")->shows_digests);
    free(text);
    cJSON_Delete(r);
}

/* A page's markup is the writer's: every string of the report, here a
 * title and a remedy full of markup, stays text. */
static void test_html_document(void **state)
{
    (void)state;
    const struct report_format *html = report_format_find("html");
    assert_non_null(html);
    assert_true(html->shows_digests);
    cJSON *r = small_report("tls_no_shared_cipher");
    cJSON *d = cJSON_GetObjectItem(r, "diagnosis");
    cJSON_ReplaceItemInObject(d, "title", cJSON_CreateString("<script>alert(1)</script>"));
    cJSON_AddStringToObject(d, "remedy", "\"><img src=x onerror='alert(2)'> & more");
    char *page = document_of_one(html, r);
    assert_non_null(strstr(page, "<!DOCTYPE html>"));
    assert_non_null(strstr(page, "Content-Security-Policy"));
    assert_non_null(strstr(page, "&lt;script&gt;alert(1)&lt;/script&gt;"));
    assert_non_null(strstr(page, "&quot;&gt;&lt;img src=x onerror=&#39;alert(2)&#39;&gt; &amp; more"));
    assert_null(strstr(page, "<script"));
    assert_null(strstr(page, "<img"));
    assert_non_null(strstr(page, "</html>\n"));
    free(page);

    /* Several: one page, the reports between its head and its end. */
    char *text = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&text, &len);
    fputs(html->open_many, out);
    assert_true(html->write(out, r));
    fputs(html->between, out);
    assert_true(html->write(out, r));
    fputs(html->close_many, out);
    fclose(out);
    const char *first = strstr(text, "<article"), *second = first ? strstr(first + 1, "<article") : NULL;
    assert_non_null(second);
    assert_null(strstr(second + 1, "<article"));
    assert_null(strstr(text + 1, "<!DOCTYPE"));
    free(text);
    cJSON_Delete(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_names),
        cmocka_unit_test(test_json_documents),
        cmocka_unit_test(test_text_document),
        cmocka_unit_test(test_html_document),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
