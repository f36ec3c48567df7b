/* people.h - the people registry in the store: import of departmental
 * lists with record linkage, residents and households, lineage, conflicts,
 * the needs basis (一网整合).
 *
 * Protected values are sealed with the store's field key before they are
 * written; responses are built here already masked for the actor (see
 * core/people.h for who sees what), and every clear read is audited.
 *
 * Ownership: strings passed in are borrowed for the call; JSON objects
 * handed out are owned by the caller (json_object_put); a report owns its
 * lines until xt_people_report_release.
 */
#ifndef XT_STORE_PEOPLE_H
#define XT_STORE_PEOPLE_H

#include <json-c/json.h>
#include <stdbool.h>
#include <stdint.h>

#include "core/access.h"
#include "core/people.h"
#include "lib/err.h"
#include "store/store.h"

/* ---- column mapping ---- */

#define XT_MAP_MAX 24

/* Which column of a list holds which field. A column starting with '='
 * is a constant for every row ("tags" "=disabled"). Fields: name,
 * id_number, birth_date, sex, phone, ethnicity, languages, address, unit,
 * household, relation, tags, tag_grade, tag_date. */
struct xt_people_mapping {
    int n;
    char field[XT_MAP_MAX][24];
    char column[XT_MAP_MAX][128];
};

/* Read a mapping CSV (header "field,column", then one line per field).
 * 0, or XT_EINVAL / XT_ENOTFOUND with err naming the line. */
int xt_people_mapping_load(const char *path, struct xt_people_mapping *m, struct xt_error *err);
/* Add one entry, checking the field name. */
int xt_people_mapping_add(struct xt_people_mapping *m, const char *field, const char *column,
                          struct xt_error *err);

/* ---- import ---- */

struct xt_people_report {
    int64_t run_id;
    bool repeat; /* the same file from the same source was imported before */
    long rows, created, merged, unchanged, conflicting, review, rejected;
    char *lines; /* JSON array text: one object per notable row (malloc'd) */
};

void xt_people_report_release(struct xt_people_report *r);
/* The report as JSON (owned by the caller). */
struct json_object *xt_people_report_json(const struct xt_people_report *r);

/* Import a list from path (CSV; .xlsx read from its first sheet) said by
 * source (e.g. "civil") into the subtree of scope (a county or
 * prefecture code; every row's unit must lie in it). Atomic: on failure
 * nothing is written. A file whose bytes were already imported from the
 * same source changes nothing (rep->repeat). Bad rows are rejected and
 * reported with the field and reason; they do not fail the import. */
int xt_store_people_import_file(struct xt_store *s, const struct xt_actor *a, const char *path,
                                const struct xt_people_mapping *m, const char *source,
                                const char *scope, int64_t now, struct xt_people_report *rep,
                                struct xt_error *err);
/* The same from CSV text (or .xlsx bytes) in memory (n bytes); name is
 * shown in the run. */
int xt_store_people_import_csv(struct xt_store *s, const struct xt_actor *a, const char *data,
                               size_t n, const char *name, const struct xt_people_mapping *m,
                               const char *source, const char *scope, int64_t now,
                               struct xt_people_report *rep, struct xt_error *err);

/* ---- reads ---- */

/* Residents of unit (a subtree, "" for the actor's scope) visible to the
 * actor, ordered by id after cursor, at most limit (1..500), masked.
 * *out gets {"items": [...], "next_cursor": n|null}. tag (may be NULL)
 * keeps only residents with that (visible) tag. */
int xt_store_people_list(struct xt_store *s, const struct xt_actor *a, const char *unit,
                         const char *tag, int64_t cursor, int limit, struct json_object **out,
                         struct xt_error *err);

/* One resident with household members, tags, lineage and open conflicts.
 * reveal asks for clear values (only roles that may reveal; audited).
 * XT_ENOTFOUND when absent or out of the actor's view. */
int xt_store_people_get(struct xt_store *s, const struct xt_actor *a, int64_t id, bool reveal,
                        int64_t now, struct json_object **out, struct xt_error *err);

/* ---- writes by a person ---- */

/* Edit phone, address, languages, relation (NULL leaves a field alone;
 * "" clears it) and add tags ("disabled:2;low_income", may be NULL) as
 * source "edit:<username>". Audited. */
struct xt_people_edit {
    const char *phone, *address, *languages, *relation, *tags;
};
int xt_store_people_edit(struct xt_store *s, const struct xt_actor *a, int64_t id,
                         const struct xt_people_edit *e, int64_t now, struct xt_error *err);

/* Resolve open conflict cid of resident id: take the value that source
 * gave ("" keeps the current value; for an "identity" conflict, "" keeps
 * both people apart). Audited. XT_ESTATE when already resolved. */
int xt_store_people_resolve(struct xt_store *s, const struct xt_actor *a, int64_t id,
                            int64_t cid, const char *source, int64_t now, struct xt_error *err);

/* ---- needs basis ---- */

/* Counts of each tag and of each implied need (distinct residents) in the
 * subtree of unit for tags holding by the end of period (yyyymm month, or
 * yyyy00 for a year). *out gets the JSON answer. */
int xt_store_people_needs(struct xt_store *s, const struct xt_actor *a, const char *unit,
                          int period, struct json_object **out, struct xt_error *err);

#endif
