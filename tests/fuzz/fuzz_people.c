/* fuzz_people.c - people list import (src/store/people.c, the function
 * behind POST /api/v1/people/imports): a column mapping and a departmental
 * list (CSV text, or .xlsx bytes), with ID numbers, names, tags and dates
 * in every shape a county office sends them, imported by the admin into
 * the Linxia county (record linkage, conflicts, sealing).
 *
 * Input:
 *     SOURCE LF                 (e.g. "civil")
 *     field=column LF ...       (the mapping; "tags==disabled" is a constant)
 *     LF
 *     the list
 * Invariants: a failed import names its field and reason; a report's
 * counts are not negative and its lines are a JSON array. */
#include "fuzzsupport.h"

#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "store/people.h"

static struct xt_actor admin;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    fuzz_world_init();
    if (fuzz_actor("admin", &admin)) {
        fprintf(stderr, "fuzz_people: no admin session\n");
        abort();
    }
    return 0;
}

static void check_report(const struct xt_people_report *rep)
{
    if (rep->rows < 0 || rep->created < 0 || rep->merged < 0 || rep->unchanged < 0 ||
        rep->conflicting < 0 || rep->review < 0 || rep->rejected < 0) {
        fprintf(stderr, "fuzz_people: negative count in the report\n");
        abort();
    }
    if (rep->lines) {
        struct json_object *o = json_tokener_parse(rep->lines);
        if (!o || !json_object_is_type(o, json_type_array)) {
            fprintf(stderr, "fuzz_people: report lines are not a JSON array\n");
            abort();
        }
        json_object_put(o);
    }
    struct json_object *j = xt_people_report_json(rep);
    if (!j)
        abort();
    json_object_put(j);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 64 * 1024)
        return 0;
    char *text = malloc(size + 1);
    if (!text)
        return 0;
    memcpy(text, data, size);
    text[size] = '\0';
    /* The head (source and mapping) is text up to the first blank line. */
    char *list = strstr(text, "\n\n");
    if (!list) {
        free(text);
        return 0;
    }
    *list = '\0';
    list += 2;
    size_t list_len = size - (size_t)(list - text);
    char *save = NULL;
    char *source = strtok_r(text, "\n", &save);
    struct xt_people_mapping m = {0};
    struct xt_error err = {0};
    for (char *line = strtok_r(NULL, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        char *eq = strchr(line, '=');
        if (!eq)
            continue;
        *eq = '\0';
        if (xt_people_mapping_add(&m, line, eq + 1, &err)) {
            if (!*err.message)
                abort();
            free(text);
            return 0;
        }
    }
    struct xt_people_report rep;
    memset(&rep, 0, sizeof(rep));
    int rc = xt_store_people_import_csv(fuzz_store(), &admin, list, list_len, "fuzz.csv", &m,
                                        source ? source : "", "622921", (int64_t)time(NULL), &rep,
                                        &err);
    if (rc) {
        if (!*err.message) {
            fprintf(stderr, "fuzz_people: failed import (%d) without a message\n", rc);
            abort();
        }
    } else {
        check_report(&rep);
        xt_people_report_release(&rep);
    }
    free(text);
    return 0;
}
