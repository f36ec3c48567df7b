/* fuzz_xlsx.c - the XLSX reader (src/lib/xlsx.c: its own ZIP central
 * directory walk, zlib inflation, libxml2's streaming reader) on arbitrary
 * bytes, then its CSV output through the CSV reader.
 *
 * Invariants: a failure names its field and reason; on success the text is
 * NUL-free and every record of it reads back as CSV. */
#include "fuzzsupport.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/buf.h"
#include "lib/csv.h"
#include "lib/xlsx.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 256 * 1024)
        return 0;
    (void)xt_xlsx_sniff((const char *)data, size);
    struct xt_buf out;
    xt_buf_init(&out, 64u << 20);
    struct xt_error err = {0};
    int rc = xt_xlsx_to_csv((const char *)data, size, &out, &err);
    if (rc) {
        if (!*err.message && rc != XT_ENOMEM) {
            fprintf(stderr, "fuzz_xlsx: failed (%d) without a message\n", rc);
            abort();
        }
        xt_buf_release(&out);
        return 0;
    }
    if (out.len && memchr(out.data, '\0', out.len)) {
        fprintf(stderr, "fuzz_xlsx: NUL byte in the CSV text\n");
        abort();
    }
    FILE *fp = fmemopen(out.len ? out.data : (char *)"", out.len, "rb");
    if (fp) {
        struct xt_csv csv;
        xt_csv_init(&csv, fp);
        while (xt_csv_next(&csv) == 1)
            if (csv.nfield < 1 || csv.nfield > XT_CSV_MAX_FIELDS)
                abort();
        xt_csv_close(&csv);
        fclose(fp);
    }
    xt_buf_release(&out);
    return 0;
}
