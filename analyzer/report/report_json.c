/* The JSON format: the report as it is (report.schema.json), indented by
 * cJSON; several reports make a JSON array (report_format.c). */
#include "report_format.h"

#include <stdlib.h>

bool report_write_json(FILE *out, const cJSON *report)
{
    char *json = cJSON_Print(report);
    if (!json)
        return false;
    fputs(json, out);
    free(json);
    return true;
}
