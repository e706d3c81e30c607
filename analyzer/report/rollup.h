/* A fleet's roll-up: one row per capture (file, outcome, cause, endpoint,
 * key frame, who acts) and the counts by outcome and by cause ("the same
 * cause on 40 of 52 endpoints"). Made from reports only — a run over many
 * captures and `tlsdiag summarize` over reports made anywhere give the same
 * roll-up. */
#ifndef TLSDIAG_ROLLUP_H
#define TLSDIAG_ROLLUP_H

#include <stdint.h>
#include <stdio.h>
#include <cjson/cJSON.h>

/* The fleet document's schema (analyzer/report/fleet.schema.json): every
 * capture's report, a row per capture, the unusable ones, the roll-up. */
#define FLEET_SCHEMA_VERSION "1.0"

struct rollup;

struct rollup *rollup_new(void);
void rollup_free(struct rollup *r);

/* A capture's row, from its report (analyze or diff). New object. */
cJSON *rollup_row(const cJSON *report);
/* Counts a row in. */
void rollup_add_row(struct rollup *r, const cJSON *row);
/* A capture that could not be read. */
void rollup_add_unusable(struct rollup *r);

/* {captures, unusable, outcomes {success, failed, intermittent,
 * inconclusive}, causes [{cause, captures, outcomes, files (the first
 * 10)}]}: causes by count, then name. New object. */
cJSON *rollup_json(struct rollup *r);

/* Text, 80 columns: a row on one line (its endpoint and key frame under it
 * when they do not fit), and the roll-up. */
void rollup_write_row_text(FILE *out, const cJSON *row);
void rollup_write_text(FILE *out, const cJSON *rollup);

#endif
