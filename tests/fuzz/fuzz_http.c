/* fuzz_http.c - the HTTP request path: route matching, body limits,
 * authentication, roles, Idempotency-Key and every handler, through the
 * same calls the MHD callback makes (xt_req_begin/feed/run).
 *
 * Input: an HTTP/1.1 request as text,
 *     METHOD SP /path?query [SP HTTP/1.1] LF
 *     Name: value LF ...
 *     LF
 *     body
 * "Bearer @operator" stands for the operator's token (any role name of
 * fuzzsupport.c), "@ticket" in the target for a dispatched ticket. */
#include "fuzzsupport.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    fuzz_world_init();
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 256 * 1024)
        return 0;
    /* The head (request line and headers) is text up to the blank line. */
    const uint8_t *end = NULL;
    size_t head_len = size, body_off = size;
    for (size_t i = 0; i + 1 < size; i++) {
        if (data[i] == '\n' && data[i + 1] == '\n') {
            end = data + i;
            head_len = i;
            body_off = i + 2;
            break;
        }
    }
    (void)end;
    char *head = malloc(head_len + 1);
    if (!head)
        return 0;
    memcpy(head, data, head_len);
    head[head_len] = '\0';
    if (strlen(head) != head_len) { /* MHD refuses NUL in the head */
        free(head);
        return 0;
    }
    char *nl = strchr(head, '\n');
    char *headers = nl ? nl + 1 : "";
    if (nl)
        *nl = '\0';
    char *sp = strchr(head, ' ');
    if (!sp || sp == head) {
        free(head);
        return 0;
    }
    *sp = '\0';
    char *target = sp + 1;
    char *sp2 = strchr(target, ' ');
    if (sp2)
        *sp2 = '\0';
    if (target[0] != '/') {
        free(head);
        return 0;
    }
    char *q = strchr(target, '?');
    if (q)
        *q++ = '\0';
    fuzz_request(head, target, q, headers, data + body_off, size - body_off);
    free(head);
    return 0;
}
