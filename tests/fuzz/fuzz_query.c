/* fuzz_query.c - query strings of the GET routes that read them: the first
 * byte picks the route (and who calls it), the rest is the query string as
 * it comes after '?', percent-encoded as a client sends it. */
#include "fuzzsupport.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct {
    const char *path, *who;
} routes[] = {
    {"/api/v1/tickets", "operator"},
    {"/api/v1/tickets", "township"},
    {"/api/v1/units/lookup", "operator"},
    {"/api/v1/metrics/rates", "command"},
    {"/api/v1/metrics/ranking", "command"},
    {"/api/v1/places", NULL},
    {"/api/v1/track/@ticket", NULL},
    {"/api/v1/categories", NULL},
};
#define NROUTES (sizeof(routes) / sizeof(routes[0]))

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    fuzz_world_init();
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1 || size > 8192)
        return 0;
    char *q = malloc(size);
    if (!q)
        return 0;
    memcpy(q, data + 1, size - 1);
    q[size - 1] = '\0';
    if (strlen(q) == size - 1) { /* a URL carries no NUL */
        unsigned pick = data[0] % NROUTES;
        char headers[96] = "";
        if (routes[pick].who)
            snprintf(headers, sizeof(headers), "Authorization: Bearer @%s\n", routes[pick].who);
        fuzz_request("GET", routes[pick].path, q, headers, NULL, 0);
    }
    free(q);
    return 0;
}
