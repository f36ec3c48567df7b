/* fuzz_json.c - JSON request bodies: the first byte picks one of the
 * routes that read a JSON body (and who calls it), the rest is the body. */
#include "fuzzsupport.h"

#include <stdio.h>

static const struct {
    const char *path, *who;
} routes[] = {
    {"/api/v1/tickets", "operator"},
    {"/api/v1/tickets", NULL}, /* anonymous resident */
    {"/api/v1/tickets", "grid"},
    {"/api/v1/tickets/@ticket/dispatch", "operator"},
    {"/api/v1/tickets/@ticket/sign", "township"},
    {"/api/v1/tickets/@ticket/return", "township"},
    {"/api/v1/tickets/@ticket/reply", "township"},
    {"/api/v1/tickets/@ticket/ask-extension", "township"},
    {"/api/v1/tickets/@ticket/decide-extension", "command"},
    {"/api/v1/tickets/@ticket/whistle", "township"},
    {"/api/v1/tickets/@ticket/callback", "operator"},
    {"/api/v1/tickets/@ticket/merge", "operator"},
    {"/api/v1/tickets/@ticket/sub-dispatch", "township"},
    {"/api/v1/track/@ticket/callback", NULL},
    {"/api/v1/accounts", "admin"},
    {"/api/v1/sessions", NULL},
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
    if (size < 1 || size > 128 * 1024)
        return 0;
    unsigned pick = data[0] % NROUTES;
    char headers[96] = "Content-Type: application/json\n";
    if (routes[pick].who)
        snprintf(headers, sizeof(headers), "Authorization: Bearer @%s\n", routes[pick].who);
    fuzz_request("POST", routes[pick].path, NULL, headers, data + 1, size - 1);
    return 0;
}
