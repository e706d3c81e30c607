/* Reading the report's JSON by dotted path ("tls.client_hello.sni"), for
 * the report model and its text view; private to analyzer/report/. The
 * functions are static: each file that includes this gets its own copy.
 * (A shared path resolver for the whole program is on its way.) */
#ifndef TLSDIAG_REPORT_PATH_H
#define TLSDIAG_REPORT_PATH_H

#include <string.h>
#include <cjson/cJSON.h>

static const cJSON *at(const cJSON *o, const char *path)
{
    char key[64];
    while (o && *path) {
        const char *dot = strchr(path, '.');
        size_t n = dot ? (size_t)(dot - path) : strlen(path);
        if (n >= sizeof key)
            return NULL;
        memcpy(key, path, n);
        key[n] = 0;
        o = cJSON_GetObjectItemCaseSensitive(o, key);
        path += n + (dot ? 1 : 0);
    }
    return o;
}

static double num(const cJSON *o, const char *path, double fallback)
{
    const cJSON *v = at(o, path);
    return cJSON_IsNumber(v) ? v->valuedouble : fallback;
}

static const char *str(const cJSON *o, const char *path)
{
    const cJSON *v = at(o, path);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

#endif
