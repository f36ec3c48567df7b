/* fuzz_open311.c - Open311 GeoReport v2 (src/http/h_open311.c): form-encoded
 * POST bodies of requests.{json,xml} and the GET routes with their query
 * parameters, through the real request path (fuzz_request).
 *
 * Input: a first line "METHOD RESOURCE[?query]" (RESOURCE under
 * /open311/v2/, e.g. "POST requests.json" or
 * "GET requests.xml?status=open&service_code=C01"), then the body. A first
 * line that is not of that shape makes the whole input a POST body of
 * requests.json. "@apikey" anywhere stands for the world's Open311 key and
 * "@ticket" in the first line for its dispatched ticket. */
#include "fuzzsupport.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FORM "Content-Type: application/x-www-form-urlencoded\n"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    fuzz_world_init();
    return 0;
}

/* data with every "@apikey" replaced by the key (malloc'd, *n updated). */
static uint8_t *with_key(const uint8_t *data, size_t *n)
{
    const char *key = fuzz_apikey();
    size_t klen = strlen(key), count = 0;
    for (size_t i = 0; i + 7 <= *n; i++)
        if (memcmp(data + i, "@apikey", 7) == 0)
            count++;
    uint8_t *out = malloc(*n + count * klen + 1);
    if (!out)
        return NULL;
    size_t w = 0;
    for (size_t i = 0; i < *n;) {
        if (i + 7 <= *n && memcmp(data + i, "@apikey", 7) == 0) {
            memcpy(out + w, key, klen);
            w += klen;
            i += 7;
        } else {
            out[w++] = data[i++];
        }
    }
    out[w] = '\0';
    *n = w;
    return out;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 64 * 1024)
        return 0;
    size_t n = size;
    uint8_t *in = with_key(data, &n);
    if (!in)
        return 0;
    const uint8_t *nl = memchr(in, '\n', n);
    size_t line_len = nl ? (size_t)(nl - in) : n;
    char line[512];
    const char *method = NULL;
    if (line_len < sizeof(line)) {
        memcpy(line, in, line_len);
        line[line_len] = '\0';
        if (strlen(line) == line_len) {
            if (strncmp(line, "GET ", 4) == 0)
                method = "GET";
            else if (strncmp(line, "POST ", 5) == 0)
                method = "POST";
        }
    }
    if (!method) {
        fuzz_request("POST", "/open311/v2/requests.json", NULL, FORM, in, n);
        free(in);
        return 0;
    }
    char path[600];
    char *res = line + strlen(method) + 1;
    char *q = strchr(res, '?');
    if (q)
        *q++ = '\0';
    snprintf(path, sizeof(path), "/open311/v2/%s", res);
    size_t body_off = nl ? line_len + 1 : n;
    fuzz_request(method, path, q, FORM, in + body_off, n - body_off);
    free(in);
    return 0;
}
