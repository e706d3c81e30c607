/* Building the facts' JSON with keys that are string literals.
 *
 * cJSON copies every key unless it is added as a constant (cJSON_...CS):
 * the facts of one connection are a few hundred members, and the copies
 * were a third of their allocations. Only ever pass a key that lives as
 * long as the program (a literal): the tree keeps the pointer. */
#ifndef TLSDIAG_JSON_BUILD_H
#define TLSDIAG_JSON_BUILD_H

#include <stdbool.h>
#include <stdint.h>
#include <cjson/cJSON.h>

static inline cJSON *json_add(cJSON *o, const char *literal_key, cJSON *item)
{
    if (item && !cJSON_AddItemToObjectCS(o, literal_key, item)) {
        cJSON_Delete(item);
        return NULL;
    }
    return item;
}

static inline cJSON *json_add_number(cJSON *o, const char *literal_key, double v)
{
    return json_add(o, literal_key, cJSON_CreateNumber(v));
}

static inline cJSON *json_add_u64(cJSON *o, const char *literal_key, uint64_t v)
{
    return json_add(o, literal_key, cJSON_CreateNumber((double)v));
}

/* A duration or offset in nanoseconds, as milliseconds with microsecond
 * precision (the report's *_ms fields). */
static inline cJSON *json_add_ms(cJSON *o, const char *literal_key, int64_t ns)
{
    return json_add(o, literal_key, cJSON_CreateNumber((double)(ns / 1000) / 1000.0));
}

static inline cJSON *json_add_string(cJSON *o, const char *literal_key, const char *s)
{
    return json_add(o, literal_key, cJSON_CreateString(s));
}

static inline cJSON *json_add_bool(cJSON *o, const char *literal_key, bool b)
{
    return json_add(o, literal_key, cJSON_CreateBool(b));
}

static inline cJSON *json_add_object(cJSON *o, const char *literal_key)
{
    return json_add(o, literal_key, cJSON_CreateObject());
}

static inline cJSON *json_add_array(cJSON *o, const char *literal_key)
{
    return json_add(o, literal_key, cJSON_CreateArray());
}

#endif
