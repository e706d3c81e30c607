/* The facts vocabulary: every path a rule pack, `tlsdiag check` and the
 * report can name in a connection's or a capture's facts, with its type and
 * a one-line meaning, declared once (fact_registry.c).
 *
 * Everything else is checked against it: the rules loader refuses a
 * reference to any other path (diagnose hands it the paths as a
 * rules_vocabulary), `tlsdiag check` refuses an expectation on one, and a
 * unit test (test_fact_registry) proves report.schema.json describes the
 * same paths with the same types. The facts builder (facts.c,
 * hello_facts.c) writes them.
 *
 * A path is keys joined by '.', from "conn" (a connection's facts) or
 * "capture" (the capture's facts, without its connection list); "[]" after
 * a key stands for any element of that array: "conn.tls.alerts[].frame"
 * is what a rule writes as $conn.tls.alerts.0.frame. */
#ifndef TLSDIAG_FACT_REGISTRY_H
#define TLSDIAG_FACT_REGISTRY_H

#include <stddef.h>

enum fact_type {
    FACT_BOOLEAN,
    FACT_INTEGER,
    FACT_NUMBER,      /* may have a fraction (times, durations) */
    FACT_STRING,
    FACT_FRAME,       /* an integer: a frame number of the capture, from 1 */
    FACT_OBJECT,
    FACT_ARRAY,
};

struct fact_def {
    const char *path;
    enum fact_type type;
    const char *meaning;
};

/* In declaration order: a parent before its members. */
extern const struct fact_def fact_registry[];
extern const size_t fact_registry_count;
/* The same paths alone, in the same order (what the rules loader takes). */
extern const char *const fact_registry_paths[];

/* "boolean", "integer", "number", "string", "frame", "object", "array". */
const char *fact_type_name(enum fact_type type);
/* The entry for a path written with "[]" for indexes; NULL when unknown. */
const struct fact_def *fact_registry_find(const char *path);

#endif
