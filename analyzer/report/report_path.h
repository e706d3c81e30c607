/* Reading the report's JSON by dotted path ("tls.client_hello.sni")
 * through the program's one path resolver (rules_get, rules/engine), typed
 * for the report model and its text view; private to analyzer/report/. */
#ifndef TLSDIAG_REPORT_PATH_H
#define TLSDIAG_REPORT_PATH_H

#include <cjson/cJSON.h>
#include "engine.h"

static inline double num(const cJSON *o, const char *path, double fallback)
{
    const cJSON *v = rules_get(o, path);
    return cJSON_IsNumber(v) ? v->valuedouble : fallback;
}

static inline const char *str(const cJSON *o, const char *path)
{
    const cJSON *v = rules_get(o, path);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

#endif
