/* fuzz_csv.c - CSV import: the RFC 4180 reader on its own, then the file
 * through one of the store's importers (the first byte picks which).
 * Invariant checked: an import that fails writes nothing (all or nothing),
 * seen as unchanged unit counts. */
#include "fuzzsupport.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/csv.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    fuzz_world_init();
    return 0;
}

static void read_all(const uint8_t *data, size_t size)
{
    FILE *fp = fmemopen((void *)data, size, "rb");
    if (!fp)
        return;
    struct xt_csv csv;
    xt_csv_init(&csv, fp);
    int rc;
    while ((rc = xt_csv_next(&csv)) == 1) {
        if (csv.nfield < 1 || csv.nfield > XT_CSV_MAX_FIELDS)
            abort();
        for (int i = 0; i < csv.nfield; i++)
            if (!csv.field[i])
                abort();
    }
    xt_csv_close(&csv);
    fclose(fp);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1 || size > 64 * 1024)
        return 0;
    read_all(data + 1, size - 1);
    const char *path = fuzz_scratch_file(data + 1, size - 1, ".csv");
    struct xt_store *s = fuzz_store();
    struct xt_import_stats st;
    struct xt_error err = {0};
    long before[8], after[8];
    if (xt_store_unit_counts(s, before))
        abort();
    int rc;
    switch (data[0] % 5) {
    case 0:
        rc = xt_store_import_divisions(s, path, "6229", &st, &err);
        break;
    case 1:
        rc = xt_store_import_calendar(s, path, &st, &err);
        break;
    case 2:
        rc = xt_store_import_categories(s, path, &st, &err);
        break;
    case 3:
        rc = xt_store_import_departments(s, path, "6229", &st, &err);
        break;
    default:
        rc = xt_store_import_census(s, path, "62", &st, &err);
        break;
    }
    if (xt_store_unit_counts(s, after))
        abort();
    if (rc && memcmp(before, after, sizeof(before)) != 0) {
        fprintf(stderr, "fuzz_csv: failed import (%s: %s) changed the units\n", err.field,
                err.message);
        abort();
    }
    if (rc && !*err.message) {
        fprintf(stderr, "fuzz_csv: failed import without a message\n");
        abort();
    }
    return 0;
}
