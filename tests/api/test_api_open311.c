/* test_api_open311.c - Open311 GeoReport v2 conformance against a live
 * server: every endpoint in XML and JSON, every documented error, the date
 * range and paging rules, the public view's privacy, and a client written
 * to the specification alone following its request to closed.
 *
 * Every XML answer is parsed with libxml2 (well-formed, UTF-8, no
 * namespace, the specification's element names); every JSON answer is
 * checked field by field against the specification's field list. POSTs
 * are form-encoded, as the specification says, through a small client of
 * this file (apiclient.h sends JSON bodies). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <arpa/inet.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "apiclient.h"

static struct api_server srv;
static char dir[64];
static char tok[API_ACCOUNT_COUNT][128];
static char key[128];     /* a live key, scope API_COUNTY */
static char revoked[128]; /* a revoked key */

#define T(account) tok[API_##account]
#define V2 "/open311/v2"

/* ---- the spec's field lists ---- */

static const char *const SERVICE_FIELDS[] = {
    "service_code", "service_name", "description", "metadata", "type", "keywords", "group", NULL};
static const char *const ATTRIBUTE_FIELDS[] = {
    "variable", "code",        "datatype", "required", "datatype_description",
    "order",    "description", "values",   NULL};
static const char *const REQUEST_FIELDS[] = {"service_request_id",
                                             "status",
                                             "status_notes",
                                             "service_name",
                                             "service_code",
                                             "description",
                                             "agency_responsible",
                                             "service_notice",
                                             "requested_datetime",
                                             "updated_datetime",
                                             "expected_datetime",
                                             "address",
                                             "address_id",
                                             "zipcode",
                                             "lat",
                                             "long",
                                             "media_url",
                                             NULL};
static const char *const POSTED_FIELDS[] = {"service_request_id", "token", "service_notice",
                                            "account_id", NULL};
static const char *const UPDATE_FIELDS[] = {
    "update_id",   "service_request_id", "status", "updated_datetime",
    "description", "media_url",          NULL};

/* The object has exactly the listed members. */
static void assert_fields(struct json_object *o, const char *const *fields)
{
    assert_true(json_object_is_type(o, json_type_object));
    int n = 0;
    for (; fields[n]; n++) {
        if (!json_object_object_get_ex(o, fields[n], NULL))
            fail_msg("field '%s' missing in %s", fields[n], json_object_to_json_string(o));
    }
    assert_int_equal(json_object_object_length(o), n);
}

/* A W3C date-time with the +08:00 offset. */
static void assert_w3c(const char *s)
{
    assert_non_null(s);
    int64_t t;
    assert_int_equal(api_time_parse(s, &t), 0);
    assert_int_equal(strlen(s), 25);
    assert_string_equal(s + 19, "+08:00");
}

/* ---- XML ---- */

static xmlDocPtr xml_parse(const struct api_resp *r)
{
    assert_true(strncmp(r->content_type, "text/xml", 8) == 0);
    assert_true(strncmp(r->body, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>", 38) == 0);
    xmlDocPtr doc = xmlReadMemory(r->body, (int)r->body_len, "answer.xml", NULL,
                                  XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
    if (!doc)
        fail_msg("not well-formed XML: %.300s", r->body);
    assert_string_equal((const char *)doc->encoding, "UTF-8");
    assert_null(xmlDocGetRootElement(doc)->ns);
    return doc;
}

static xmlNodePtr child(xmlNodePtr n, const char *name)
{
    for (xmlNodePtr c = n ? n->children : NULL; c; c = c->next)
        if (c->type == XML_ELEMENT_NODE && strcmp((const char *)c->name, name) == 0)
            return c;
    return NULL;
}

static int count_children(xmlNodePtr n, const char *name)
{
    int k = 0;
    for (xmlNodePtr c = n->children; c; c = c->next)
        if (c->type == XML_ELEMENT_NODE && strcmp((const char *)c->name, name) == 0)
            k++;
    return k;
}

/* The element has exactly the listed children (each once), nothing else. */
static void assert_children(xmlNodePtr n, const char *const *fields)
{
    int k = 0;
    for (; fields[k]; k++)
        if (count_children(n, fields[k]) != 1)
            fail_msg("<%s> has %d <%s>", n->name, count_children(n, fields[k]), fields[k]);
    int all = 0;
    for (xmlNodePtr c = n->children; c; c = c->next)
        all += c->type == XML_ELEMENT_NODE;
    assert_int_equal(all, k);
}

/* The text of a child ("" when empty); owned by a static buffer. */
static const char *text_of(xmlNodePtr n, const char *name)
{
    static char buf[20000];
    xmlNodePtr c = child(n, name);
    assert_non_null(c);
    xmlChar *t = xmlNodeGetContent(c);
    snprintf(buf, sizeof(buf), "%s", t ? (const char *)t : "");
    xmlFree(t);
    return buf;
}

/* ---- HTTP ---- */

static void get(const char *path, int status, struct api_resp *r)
{
    assert_int_equal(api_call(&srv, "GET", NULL, NULL, NULL, r, "%s", path), 0);
    if (r->status != status)
        fail_msg("GET %s: %d, expected %d: %.300s", path, r->status, status, r->body);
}

/* POST a form body with the given Content-Type (NULL: the form type). */
static void post_form_ct(const char *path, const char *form, const char *ctype, int status,
                         struct api_resp *out)
{
    memset(out, 0, sizeof(*out));
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    assert_true(fd >= 0);
    struct sockaddr_in a;
    memset(&a, 0, sizeof(a));
    a.sin_family = AF_INET;
    a.sin_port = htons((uint16_t)srv.port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    assert_int_equal(connect(fd, (struct sockaddr *)&a, sizeof(a)), 0);
    size_t blen = strlen(form);
    char head[512];
    int hn = snprintf(head, sizeof(head),
                      "POST %s HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nConnection: close\r\n"
                      "Content-Type: %s\r\nContent-Length: %zu\r\n\r\n",
                      path, srv.port, ctype ? ctype : "application/x-www-form-urlencoded", blen);
    assert_int_equal(write(fd, head, (size_t)hn), hn);
    for (size_t off = 0; off < blen;) {
        ssize_t w = write(fd, form + off, blen - off);
        assert_true(w > 0);
        off += (size_t)w;
    }
    size_t cap = 1 << 16, len = 0;
    char *buf = malloc(cap);
    assert_non_null(buf);
    for (;;) {
        if (len + 4096 > cap) {
            cap *= 2;
            buf = realloc(buf, cap);
            assert_non_null(buf);
        }
        ssize_t n = read(fd, buf + len, cap - len - 1);
        if (n <= 0)
            break;
        len += (size_t)n;
    }
    close(fd);
    buf[len] = '\0';
    assert_true(sscanf(buf, "HTTP/1.1 %d", &out->status) == 1);
    char *body = strstr(buf, "\r\n\r\n");
    assert_non_null(body);
    *body = '\0';
    const char *ct = strcasestr(buf, "\r\nContent-Type: ");
    if (ct)
        snprintf(out->content_type, sizeof(out->content_type), "%.*s",
                 (int)strcspn(ct + 16, "\r\n"), ct + 16);
    out->body = strdup(body + 4);
    out->body_len = strlen(out->body);
    out->json = json_tokener_parse(out->body);
    free(buf);
    if (out->status != status)
        fail_msg("POST %s: %d, expected %d: %.300s", path, out->status, status, out->body);
}

static void post_form(const char *path, const char *form, int status, struct api_resp *out)
{
    post_form_ct(path, form, NULL, status, out);
}

/* An error answer in the format of the path: errors/error with the HTTP
 * status as code and a description naming the field. */
static void assert_error(struct api_resp *r, bool json, int status, const char *field)
{
    assert_int_equal(r->status, status);
    if (json) {
        assert_true(strncmp(r->content_type, "application/json", 16) == 0);
        assert_non_null(r->json);
        assert_int_equal(json_object_array_length(r->json), 1);
        struct json_object *e = json_object_array_get_idx(r->json, 0);
        assert_fields(e, (const char *const[]){"code", "description", NULL});
        assert_int_equal(api_json_int(e, "code", 0), status);
        const char *d = api_json_str(e, "description");
        if (field && strncmp(d, field, strlen(field)) != 0)
            fail_msg("description '%s' does not name '%s'", d, field);
    } else {
        xmlDocPtr doc = xml_parse(r);
        xmlNodePtr root = xmlDocGetRootElement(doc);
        assert_string_equal((const char *)root->name, "errors");
        assert_int_equal(count_children(root, "error"), 1);
        xmlNodePtr e = child(root, "error");
        assert_children(e, (const char *const[]){"code", "description", NULL});
        char want[8];
        snprintf(want, sizeof(want), "%d", status);
        assert_string_equal(text_of(e, "code"), want);
        if (field && strncmp(text_of(e, "description"), field, strlen(field)) != 0)
            fail_msg("description '%s' does not name '%s'", text_of(e, "description"), field);
        xmlFreeDoc(doc);
    }
}

static void get_error(const char *path, int status, const char *field)
{
    struct api_resp r;
    get(path, status, &r);
    assert_error(&r, strstr(path, ".json") != NULL, status, field);
    api_resp_release(&r);
}

static void post_error(const char *path, const char *form, int status, const char *field)
{
    struct api_resp r;
    post_form(path, form, status, &r);
    assert_error(&r, strstr(path, ".json") != NULL, status, field);
    api_resp_release(&r);
}

/* ---- fixture ---- */

static int make_key(const char *name, char *out, size_t outsz)
{
    char cmd[512];
    snprintf(cmd, sizeof(cmd),
             "'%s' apikey add --name %s --scope " API_COUNTY " --data '%s' 2>/dev/null", XT_BINARY,
             name, dir);
    FILE *p = popen(cmd, "r");
    if (!p)
        return -1;
    bool ok = fgets(out, (int)outsz, p) != NULL;
    int st = pclose(p);
    out[strcspn(out, "\n")] = '\0';
    return ok && st == 0 && strlen(out) == 43 ? 0 : -1;
}

static int setup(void **state)
{
    (void)state;
    unsigned who = (1u << API_OPERATOR) | (1u << API_DEPARTMENT);
    if (api_fixture_start(&srv, dir, sizeof(dir), who, tok))
        return -1;
    char cmd[512];
    snprintf(cmd, sizeof(cmd), "'%s' apikey revoke --name gone --data '%s' >/dev/null 2>&1",
             XT_BINARY, dir);
    if (make_key("citizen-app", key, sizeof(key)) || make_key("gone", revoked, sizeof(revoked)) ||
        system(cmd) != 0) {
        fprintf(stderr, "cannot make the API keys\n");
        api_fixture_finish(&srv, dir);
        return -1;
    }
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    api_fixture_finish(&srv, dir);
    xmlCleanupParser();
    return 0;
}

/* A valid form with the live key; extra is appended ("&k=v..."). */
static const char *form(const char *extra)
{
    static char buf[70000];
    snprintf(buf, sizeof(buf),
             "api_key=%s&service_code=C01&attribute%%5Brequest_type%%5D=help"
             "&address_id=" API_GRID "&description=%s%s",
             key, "%E8%B7%AF%E7%81%AF%E5%9D%8F%E4%BA%86" /* 路灯坏了 */, extra ? extra : "");
    return buf;
}

/* The number of requests GET requests.json lists by default. */
static long listed(void)
{
    struct api_resp r;
    get(V2 "/requests.json", 200, &r);
    long n = (long)json_object_array_length(r.json);
    api_resp_release(&r);
    return n;
}

static void post_ok(const char *path, const char *f, char number[32], char token[64])
{
    struct api_resp r;
    post_form(path, f, 201, &r);
    if (strstr(path, ".json")) {
        assert_int_equal(json_object_array_length(r.json), 1);
        struct json_object *o = json_object_array_get_idx(r.json, 0);
        assert_fields(o, POSTED_FIELDS);
        snprintf(number, 32, "%s", api_json_str(o, "service_request_id"));
        if (token)
            snprintf(token, 64, "%s", api_json_str(o, "token"));
        assert_non_null(api_json_str(o, "service_notice"));
    } else {
        xmlDocPtr doc = xml_parse(&r);
        xmlNodePtr root = xmlDocGetRootElement(doc);
        assert_string_equal((const char *)root->name, "service_requests");
        xmlNodePtr q = child(root, "request");
        assert_non_null(q);
        assert_children(q, POSTED_FIELDS);
        snprintf(number, 32, "%s", text_of(q, "service_request_id"));
        if (token)
            snprintf(token, 64, "%s", text_of(q, "token"));
        xmlFreeDoc(doc);
    }
    assert_int_equal(strlen(number), 14);
    api_resp_release(&r);
}

/* ---- discovery and services ---- */

static void test_discovery(void **state)
{
    (void)state;
    struct api_resp r;
    get(V2 "/discovery.json", 200, &r);
    assert_fields(r.json,
                  (const char *const[]){"changeset", "contact", "key_service", "endpoints", NULL});
    assert_w3c(api_json_str(r.json, "changeset"));
    struct json_object *ep = api_json_get(r.json, "endpoints.0");
    assert_fields(
        ep, (const char *const[]){"specification", "url", "changeset", "type", "formats", NULL});
    assert_string_equal(api_json_str(ep, "specification"), "http://wiki.open311.org/GeoReport_v2");
    assert_non_null(strstr(api_json_str(ep, "url"), "/open311/v2"));
    assert_string_equal(api_json_str(ep, "type"), "production");
    assert_string_equal(api_json_str(ep, "formats.0"), "text/xml");
    assert_string_equal(api_json_str(ep, "formats.1"), "application/json");
    api_resp_release(&r);

    get(V2 "/discovery.xml", 200, &r);
    xmlDocPtr doc = xml_parse(&r);
    xmlNodePtr root = xmlDocGetRootElement(doc);
    assert_string_equal((const char *)root->name, "discovery");
    assert_children(
        root, (const char *const[]){"changeset", "contact", "key_service", "endpoints", NULL});
    xmlNodePtr e = child(child(root, "endpoints"), "endpoint");
    assert_non_null(e);
    assert_string_equal(text_of(e, "specification"), "http://wiki.open311.org/GeoReport_v2");
    assert_int_equal(count_children(child(e, "formats"), "format"), 2);
    xmlFreeDoc(doc);
    api_resp_release(&r);
}

static void test_services(void **state)
{
    (void)state;
    struct api_resp r;
    get(V2 "/services.json", 200, &r);
    size_t n = json_object_array_length(r.json);
    assert_int_equal(n, 16); /* data/reference/categories.csv */
    for (size_t i = 0; i < n; i++) {
        struct json_object *s = json_object_array_get_idx(r.json, i);
        assert_fields(s, SERVICE_FIELDS);
        assert_true(json_object_is_type(api_json_get(s, "metadata"), json_type_boolean));
        assert_int_equal(api_json_bool(s, "metadata"), 1);
        const char *type = api_json_str(s, "type");
        assert_true(!strcmp(type, "realtime") || !strcmp(type, "batch") ||
                    !strcmp(type, "blackbox"));
    }
    assert_string_equal(api_json_str(r.json, "0.service_code"), "C01");
    assert_string_equal(api_json_str(r.json, "0.service_name"), "城乡建设");
    api_resp_release(&r);

    get(V2 "/services.xml", 200, &r);
    xmlDocPtr doc = xml_parse(&r);
    xmlNodePtr root = xmlDocGetRootElement(doc);
    assert_string_equal((const char *)root->name, "services");
    assert_int_equal(count_children(root, "service"), 16);
    for (xmlNodePtr s = root->children; s; s = s->next) {
        if (s->type != XML_ELEMENT_NODE)
            continue;
        assert_children(s, SERVICE_FIELDS);
        assert_string_equal(text_of(s, "metadata"), "true");
    }
    assert_string_equal(text_of(child(root, "service"), "service_name"), "城乡建设");
    xmlFreeDoc(doc);
    api_resp_release(&r);
}

static void check_attribute_json(struct json_object *a)
{
    static const char *const types[] = {"string", "number",          "datetime",
                                        "text",   "singlevaluelist", "multivaluelist"};
    assert_fields(a, ATTRIBUTE_FIELDS);
    assert_int_equal(api_json_bool(a, "variable"), 1);
    assert_true(api_json_bool(a, "required") >= 0);
    assert_true(json_object_is_type(api_json_get(a, "order"), json_type_int));
    bool known = false;
    for (size_t i = 0; i < 6; i++)
        known |= strcmp(api_json_str(a, "datatype"), types[i]) == 0;
    assert_true(known);
    long nv = api_json_len(a, "values");
    assert_true(nv > 0);
    for (long i = 0; i < nv; i++)
        assert_fields(json_object_array_get_idx(api_json_get(a, "values"), (size_t)i),
                      (const char *const[]){"key", "name", NULL});
}

static void test_service_definition(void **state)
{
    (void)state;
    struct api_resp r;
    get(V2 "/services/C05.json", 200, &r);
    assert_fields(r.json, (const char *const[]){"service_code", "attributes", NULL});
    assert_string_equal(api_json_str(r.json, "service_code"), "C05");
    long n = api_json_len(r.json, "attributes");
    assert_int_equal(n, 2);
    for (long i = 0; i < n; i++)
        check_attribute_json(
            json_object_array_get_idx(api_json_get(r.json, "attributes"), (size_t)i));
    assert_string_equal(api_json_str(r.json, "attributes.0.code"), "request_type");
    assert_int_equal(api_json_bool(r.json, "attributes.0.required"), 1);
    assert_int_equal(api_json_len(r.json, "attributes.0.values"), 5);
    assert_string_equal(api_json_str(r.json, "attributes.0.values.3.key"), "report");
    api_resp_release(&r);

    get(V2 "/services/C05.xml", 200, &r);
    xmlDocPtr doc = xml_parse(&r);
    xmlNodePtr root = xmlDocGetRootElement(doc);
    assert_string_equal((const char *)root->name, "service_definition");
    assert_string_equal(text_of(root, "service_code"), "C05");
    xmlNodePtr attrs = child(root, "attributes");
    assert_int_equal(count_children(attrs, "attribute"), 2);
    xmlNodePtr a = child(attrs, "attribute");
    assert_children(a, ATTRIBUTE_FIELDS);
    assert_string_equal(text_of(a, "required"), "true");
    assert_string_equal(text_of(a, "order"), "1");
    assert_int_equal(count_children(child(a, "values"), "value"), 5);
    assert_children(child(child(a, "values"), "value"), (const char *const[]){"key", "name", NULL});
    xmlFreeDoc(doc);
    api_resp_release(&r);

    /* 404: no such service; 400: no service_code at all. */
    get_error(V2 "/services/C99.json", 404, "service_code");
    get_error(V2 "/services/C99.xml", 404, "service_code");
    get_error(V2 "/services/.xml", 400, "service_code");
    /* No format suffix, or an unknown one: no such resource. */
    get_error(V2 "/services", 404, NULL);
    get_error(V2 "/services.csv", 404, NULL);
    get_error(V2 "/nothing.json", 404, NULL);
}

/* ---- POST requests: errors ---- */

static void test_post_errors(void **state)
{
    (void)state;
    long before = listed();
    char f[80000];
    /* 403: the api_key is missing, empty, wrong or revoked. */
    post_error(V2 "/requests.json", "service_code=C01&description=x&address_id=" API_GRID, 403,
               "api_key");
    post_error(V2 "/requests.xml", "api_key=&service_code=C01", 403, "api_key");
    post_error(V2 "/requests.xml", "api_key=0123456789012345678901234567890123456789012", 403,
               "api_key");
    snprintf(f, sizeof(f),
             "api_key=%s&service_code=C01&attribute%%5Brequest_type%%5D=help"
             "&address_id=" API_GRID "&description=x",
             revoked);
    post_error(V2 "/requests.json", f, 403, "api_key");

    /* 400: missing or invalid information. */
    snprintf(f, sizeof(f), "api_key=%s&description=x&address_id=" API_GRID, key);
    post_error(V2 "/requests.json", f, 400, "service_code");
    snprintf(f, sizeof(f), "api_key=%s&service_code=&description=x&address_id=" API_GRID, key);
    post_error(V2 "/requests.xml", f, 400, "service_code");
    snprintf(f, sizeof(f),
             "api_key=%s&service_code=C99&attribute%%5Brequest_type%%5D=help"
             "&description=x&address_id=" API_GRID,
             key);
    post_error(V2 "/requests.json", f, 400, "service_code");
    snprintf(f, sizeof(f), "api_key=%s&service_code=C01&description=x&address_id=" API_GRID, key);
    post_error(V2 "/requests.json", f, 400, "attribute[request_type]");
    snprintf(f, sizeof(f), "%s", form("&attribute%5Burgent%5D=maybe"));
    post_error(V2 "/requests.xml", f, 400, "attribute[urgent]");
    snprintf(f, sizeof(f), "%s", form("&attribute%5Bcolour%5D=red"));
    post_error(V2 "/requests.json", f, 400, "attribute[colour]");
    snprintf(f, sizeof(f),
             "api_key=%s&service_code=C01&attribute%%5Brequest_type%%5D=gossip"
             "&description=x&address_id=" API_GRID,
             key);
    post_error(V2 "/requests.json", f, 400, "attribute[request_type]");
    /* Location: none, half a point, out of range, an unknown unit, an
     * address that names no place of ours. */
    snprintf(f, sizeof(f),
             "api_key=%s&service_code=C01&attribute%%5Brequest_type%%5D=help"
             "&description=x",
             key);
    post_error(V2 "/requests.json", f, 400, "lat/long");
    snprintf(f, sizeof(f),
             "api_key=%s&service_code=C01&attribute%%5Brequest_type%%5D=help"
             "&description=x&lat=35.5",
             key);
    post_error(V2 "/requests.xml", f, 400, "long");
    snprintf(f, sizeof(f),
             "api_key=%s&service_code=C01&attribute%%5Brequest_type%%5D=help"
             "&description=x&lat=95&long=103",
             key);
    post_error(V2 "/requests.json", f, 400, "lat");
    snprintf(f, sizeof(f),
             "api_key=%s&service_code=C01&attribute%%5Brequest_type%%5D=help"
             "&description=x&lat=35.5&long=east",
             key);
    post_error(V2 "/requests.json", f, 400, "long");
    snprintf(f, sizeof(f),
             "api_key=%s&service_code=C01&attribute%%5Brequest_type%%5D=help"
             "&description=x&address_id=999999999999999",
             key);
    post_error(V2 "/requests.json", f, 400, "address_id");
    snprintf(f, sizeof(f),
             "api_key=%s&service_code=C01&attribute%%5Brequest_type%%5D=help"
             "&description=x&address_string=Nowhere+Street+1",
             key);
    post_error(V2 "/requests.json", f, 400, "address_string");
    /* A key of county 622921 may not file in county 622922. */
    snprintf(f, sizeof(f),
             "api_key=%s&service_code=C01&attribute%%5Brequest_type%%5D=help"
             "&description=x&address_id=622922201204001",
             key);
    post_error(V2 "/requests.json", f, 403, "address_id");
    /* The description: required, at most 4,000 characters (not bytes). */
    snprintf(f, sizeof(f),
             "api_key=%s&service_code=C01&attribute%%5Brequest_type%%5D=help"
             "&address_id=" API_GRID,
             key);
    post_error(V2 "/requests.json", f, 400, "description");
    size_t k =
        (size_t)snprintf(f, sizeof(f),
                         "api_key=%s&service_code=C01"
                         "&attribute%%5Brequest_type%%5D=help&address_id=" API_GRID "&description=",
                         key);
    for (int i = 0; i < 4001; i++)
        k += (size_t)snprintf(f + k, sizeof(f) - k, "%%E8%%B7%%AF"); /* 路 */
    post_error(V2 "/requests.json", f, 400, "description");
    /* Contact details are checked like the console's. */
    post_error(V2 "/requests.json", form("&email=not-an-address"), 400, "email");
    post_error(V2 "/requests.json", form("&phone=12"), 400, "phone");
    post_error(V2 "/requests.json", form("&media_url=ftp%3A%2F%2Fx"), 400, "media_url");
    /* Form-encoded only; a broken escape is refused. */
    struct api_resp r;
    post_form_ct(V2 "/requests.json", "{\"service_code\": \"C01\"}", "application/json", 400, &r);
    assert_error(&r, true, 400, "Content-Type");
    api_resp_release(&r);
    post_error(V2 "/requests.json", form("&first_name=%ZZ"), 400, "body");
    /* POST goes to requests only. */
    post_error(V2 "/services.json", form(NULL), 404, NULL);

    /* None of that filed anything. */
    assert_int_equal(listed(), before);

    /* Exactly 4,000 characters (12,000 bytes) is accepted. */
    k = (size_t)snprintf(f, sizeof(f),
                         "api_key=%s&service_code=C01"
                         "&attribute%%5Brequest_type%%5D=help&address_id=" API_GRID "&description=",
                         key);
    for (int i = 0; i < 4000; i++)
        k += (size_t)snprintf(f + k, sizeof(f) - k, "%%E8%%B7%%AF");
    char number[32];
    post_ok(V2 "/requests.json", f, number, NULL);
    assert_int_equal(listed(), before + 1);
}

static void test_post_too_large(void **state)
{
    (void)state;
    size_t n = 70 * 1024;
    char *f = malloc(n + 128);
    assert_non_null(f);
    int k = snprintf(f, 128, "api_key=%s&description=", key);
    memset(f + k, 'a', n);
    f[(size_t)k + n] = '\0';
    post_error(V2 "/requests.xml", f, 413, "body");
    free(f);
}

/* The key commands refuse what they cannot do, with a non-zero exit. */
static void test_apikey_cli(void **state)
{
    (void)state;
    char cmd[512];
    static const char *const bad[] = {
        "add --name citizen-app --scope " API_COUNTY, /* the name is taken */
        "add --name other --scope 999999",            /* no such unit */
        "add --name other --scope " API_GRID,         /* a grid is too small */
        "add --name 'Bad Name' --scope " API_COUNTY,  /* not a-z0-9_-. */
        "add --scope " API_COUNTY,                    /* no name */
        "revoke --name nobody",                       /* no such key */
        "revoke --name gone",                         /* revoked already */
        "rotate --name citizen-app",                  /* no such verb */
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        snprintf(cmd, sizeof(cmd), "'%s' apikey %s --data '%s' >/dev/null 2>&1", XT_BINARY, bad[i],
                 dir);
        int st = system(cmd);
        if (st == 0)
            fail_msg("apikey %s succeeded", bad[i]);
    }
    snprintf(cmd, sizeof(cmd), "'%s' apikey list --data '%s'", XT_BINARY, dir);
    FILE *p = popen(cmd, "r");
    assert_non_null(p);
    char line[256];
    int live = 0, revoked_n = 0;
    while (fgets(line, sizeof(line), p)) {
        live += strncmp(line, "citizen-app ", 12) == 0 && strstr(line, " live") != NULL;
        revoked_n += strncmp(line, "gone ", 5) == 0 && strstr(line, " revoked ") != NULL;
        assert_null(strstr(line, key)); /* the key is never shown again */
    }
    assert_int_equal(pclose(p), 0);
    assert_int_equal(live, 1);
    assert_int_equal(revoked_n, 1);
}

/* ---- POST and read back ---- */

static void check_request_json(struct json_object *o)
{
    assert_fields(o, REQUEST_FIELDS);
    const char *st = api_json_str(o, "status");
    assert_true(!strcmp(st, "open") || !strcmp(st, "closed"));
    assert_w3c(api_json_str(o, "requested_datetime"));
    assert_w3c(api_json_str(o, "updated_datetime"));
    if (!api_json_is_null(o, "expected_datetime"))
        assert_w3c(api_json_str(o, "expected_datetime"));
}

static void test_post_and_read(void **state)
{
    (void)state;
    char number[32], token[64], n2[32], t2[64];
    post_ok(V2 "/requests.json",
            form("&first_name=%E5%B0%8F%E8%8A%B1&last_name=%E9%A9%AC&phone=13912345678"
                 "&email=ma.xiaohua%40example.cn&device_id=dev-1"
                 "&media_url=https%3A%2F%2Fexample.cn%2Fp.jpg&address_string=%E6%9D%91%E5%8F%A3"),
            number, token);
    assert_int_equal(strlen(token), 32);
    post_ok(V2 "/requests.xml", form(NULL), n2, t2);
    assert_string_not_equal(number, n2);
    assert_string_not_equal(token, t2);

    /* The token leads to the id, in both formats; an unknown one is 404. */
    struct api_resp r;
    char path[256];
    snprintf(path, sizeof(path), V2 "/tokens/%s.json", token);
    get(path, 200, &r);
    assert_fields(json_object_array_get_idx(r.json, 0),
                  (const char *const[]){"service_request_id", "token", NULL});
    assert_string_equal(api_json_str(r.json, "0.service_request_id"), number);
    api_resp_release(&r);
    snprintf(path, sizeof(path), V2 "/tokens/%s.xml", t2);
    get(path, 200, &r);
    xmlDocPtr doc = xml_parse(&r);
    xmlNodePtr q = child(xmlDocGetRootElement(doc), "request");
    assert_children(q, (const char *const[]){"service_request_id", "token", NULL});
    assert_string_equal(text_of(q, "service_request_id"), n2);
    xmlFreeDoc(doc);
    api_resp_release(&r);
    get_error(V2 "/tokens/00000000000000000000000000000000.json", 404, "token");
    get_error(V2 "/tokens/nope.xml", 404, "token");

    /* GET the request: every field, contact never shown. */
    snprintf(path, sizeof(path), V2 "/requests/%s.json", number);
    get(path, 200, &r);
    assert_int_equal(json_object_array_length(r.json), 1);
    struct json_object *o = json_object_array_get_idx(r.json, 0);
    check_request_json(o);
    assert_string_equal(api_json_str(o, "service_request_id"), number);
    assert_string_equal(api_json_str(o, "status"), "open");
    assert_string_equal(api_json_str(o, "service_code"), "C01");
    assert_string_equal(api_json_str(o, "service_name"), "城乡建设");
    assert_string_equal(api_json_str(o, "description"), "路灯坏了");
    assert_string_equal(api_json_str(o, "address"), "村口");
    assert_string_equal(api_json_str(o, "address_id"), API_GRID);
    assert_string_equal(api_json_str(o, "media_url"), "https://example.cn/p.jpg");
    /* The engine routed it: C01 goes to the county's housing bureau. */
    assert_string_equal(api_json_str(o, "agency_responsible"), "临夏县住房和城乡建设局");
    assert_non_null(strstr(api_json_str(o, "service_notice"), "3个工作日"));
    assert_null(strstr(r.body, "13912345678"));
    assert_null(strstr(r.body, "ma.xiaohua"));
    assert_null(strstr(r.body, "马小花"));
    api_resp_release(&r);

    snprintf(path, sizeof(path), V2 "/requests/%s.xml", number);
    get(path, 200, &r);
    doc = xml_parse(&r);
    xmlNodePtr root = xmlDocGetRootElement(doc);
    assert_string_equal((const char *)root->name, "service_requests");
    assert_int_equal(count_children(root, "request"), 1);
    q = child(root, "request");
    assert_children(q, REQUEST_FIELDS);
    assert_string_equal(text_of(q, "service_request_id"), number);
    assert_string_equal(text_of(q, "status"), "open");
    assert_string_equal(text_of(q, "description"), "路灯坏了");
    assert_string_equal(text_of(q, "address_id"), API_GRID);
    assert_w3c(text_of(q, "requested_datetime"));
    xmlFreeDoc(doc);
    api_resp_release(&r);

    /* Staff see the same ticket through /api/v1: the api channel, the
     * contact sealed and masked, the engine's suggestion. */
    struct json_object *t =
        api_expect(&srv, 200, "GET", T(OPERATOR), NULL, NULL, "/api/v1/tickets/%s", number);
    assert_non_null(t);
    assert_string_equal(api_json_str(t, "channel"), "api");
    assert_string_equal(api_json_str(t, "type"), "help");
    assert_string_equal(api_json_str(t, "category.code"), "C01");
    assert_string_equal(api_json_str(t, "contact.name"), "马**");
    assert_string_equal(api_json_str(t, "contact.phone"), "139****5678");
    assert_string_equal(api_json_str(t, "suggestion.handler.code"), API_HOUSING);
    json_object_put(t);

    /* Unknown ids: 404 in the format asked. */
    get_error(V2 "/requests/20000101-00001.json", 404, "service_request_id");
    get_error(V2 "/requests/20000101-00001.xml", 404, "service_request_id");
    get_error(V2 "/requests/x/updates.json", 404, "service_request_id");
}

static void test_locations(void **state)
{
    (void)state;
    char f[1024], number[32], path[128];
    struct api_resp r;
    snprintf(f, sizeof(f),
             "api_key=%s&service_code=C05&attribute%%5Brequest_type%%5D=complaint"
             "&attribute%%5Burgent%%5D=true&lat=35.55&long=103.1&description=x",
             key);
    post_ok(V2 "/requests.json", f, number, NULL);
    snprintf(path, sizeof(path), V2 "/requests/%s.json", number);
    get(path, 200, &r);
    assert_true(strncmp(api_json_str(r.json, "0.address_id"), API_COUNTY, 6) == 0);
    assert_true(api_json_num(r.json, "0.lat", 0) > 35.549 &&
                api_json_num(r.json, "0.lat", 0) < 35.551);
    assert_true(api_json_num(r.json, "0.long", 0) > 103.099);
    assert_non_null(strstr(api_json_str(r.json, "0.service_notice"), "24小时"));
    api_resp_release(&r);

    /* 韩集居委会 (API_VILLAGE) named at the start of the address. */
    snprintf(f, sizeof(f),
             "api_key=%s&service_code=C05&attribute%%5Brequest_type%%5D=consult"
             "&address_string=%s&description=x",
             key, "%E9%9F%A9%E9%9B%86%E5%B1%85%E5%A7%94%E4%BC%9A%E4%B8%9C%E4%BE%A7");
    post_ok(V2 "/requests.json", f, number, NULL);
    snprintf(path, sizeof(path), V2 "/requests/%s.json", number);
    get(path, 200, &r);
    assert_string_equal(api_json_str(r.json, "0.address_id"), API_VILLAGE);
    assert_string_equal(api_json_str(r.json, "0.address"), "韩集居委会东侧");
    assert_true(api_json_is_null(r.json, "0.lat"));
    api_resp_release(&r);

    /* A report (举报) keeps its whistle-blower safe: no description, no
     * address or point, only the township. */
    snprintf(f, sizeof(f),
             "api_key=%s&service_code=C14&attribute%%5Brequest_type%%5D=report"
             "&address_id=" API_GRID "&address_string=secret+yard"
             "&description=secret+text",
             key);
    post_ok(V2 "/requests.xml", f, number, NULL);
    snprintf(path, sizeof(path), V2 "/requests/%s.json", number);
    get(path, 200, &r);
    check_request_json(json_object_array_get_idx(r.json, 0));
    assert_true(api_json_is_null(r.json, "0.description"));
    assert_true(api_json_is_null(r.json, "0.lat"));
    assert_string_equal(api_json_str(r.json, "0.address_id"), API_TOWN);
    assert_null(strstr(r.body, "secret"));
    api_resp_release(&r);
}

/* ---- GET requests: filters, dates, paging ---- */

static void numbers_of(const char *path, char out[][32], int max, int *n)
{
    struct api_resp r;
    get(path, 200, &r);
    assert_true(json_object_is_type(r.json, json_type_array));
    *n = 0;
    for (size_t i = 0; i < json_object_array_length(r.json); i++) {
        struct json_object *o = json_object_array_get_idx(r.json, i);
        check_request_json(o);
        if (*n < max)
            snprintf(out[(*n)++], 32, "%s", api_json_str(o, "service_request_id"));
    }
    api_resp_release(&r);
}

static void test_filters(void **state)
{
    (void)state;
    char a[32], b[32], c[32], path[512], got[1000][32];
    int n;
    post_ok(V2 "/requests.json", form(NULL), a, NULL);
    post_ok(V2 "/requests.json", form(NULL), b, NULL);
    char f[1024];
    snprintf(f, sizeof(f),
             "api_key=%s&service_code=C16&attribute%%5Brequest_type%%5D=help"
             "&address_id=" API_GRID "&description=x",
             key);
    post_ok(V2 "/requests.json", f, c, NULL);

    /* service_request_id overrides every other parameter, keeps the order
     * asked and leaves out what is not ours. */
    snprintf(path, sizeof(path),
             V2 "/requests.json?service_request_id=%s,20000101-00001,%s&service_code=C05"
                "&status=closed&start_date=2001-01-01T00:00:00Z&page_size=1",
             c, a);
    numbers_of(path, got, 10, &n);
    assert_int_equal(n, 2);
    assert_string_equal(got[0], c);
    assert_string_equal(got[1], a);

    /* At most 100 ids at once. */
    int k = snprintf(path, sizeof(path), V2 "/requests.xml?service_request_id=");
    for (int i = 0; i < 101; i++)
        k += snprintf(path + k, sizeof(path) - (size_t)k, "%s%d", i ? "," : "", i);
    get_error(path, 400, "service_request_id");

    /* service_code list; status. */
    numbers_of(V2 "/requests.json?service_code=C16", got, 1000, &n);
    assert_true(n >= 1);
    bool seen = false;
    for (int i = 0; i < n; i++)
        seen |= strcmp(got[i], c) == 0;
    assert_true(seen);
    struct api_resp r;
    get(V2 "/requests.json?service_code=C16,C05&status=open", 200, &r);
    for (size_t i = 0; i < json_object_array_length(r.json); i++) {
        struct json_object *o = json_object_array_get_idx(r.json, i);
        const char *code = api_json_str(o, "service_code");
        assert_true(!strcmp(code, "C16") || !strcmp(code, "C05"));
        assert_string_equal(api_json_str(o, "status"), "open");
    }
    api_resp_release(&r);
    numbers_of(V2 "/requests.json?status=closed&service_code=C16", got, 10, &n);
    assert_int_equal(n, 0);
    /* An empty parameter is a missing one. */
    int all;
    numbers_of(V2 "/requests.json", got, 1000, &all);
    numbers_of(V2 "/requests.json?status=&service_code=&start_date=&page=", got, 1000, &n);
    assert_int_equal(n, all);
    numbers_of(V2 "/requests.json?status=open,closed", got, 1000, &n);
    assert_int_equal(n, all);

    /* Dates: W3C, at most 90 days apart, the range in requested_datetime. */
    time_t now = time(NULL);
    char from[32], to[32];
    struct tm tmv;
    strftime(from, sizeof(from), "%Y-%m-%dT%H:%M:%SZ", gmtime_r(&(time_t){now - 3600}, &tmv));
    strftime(to, sizeof(to), "%Y-%m-%dT%H:%M:%SZ", gmtime_r(&(time_t){now + 3600}, &tmv));
    snprintf(path, sizeof(path), V2 "/requests.json?start_date=%s&end_date=%s", from, to);
    numbers_of(path, got, 1000, &n);
    assert_int_equal(n, all);
    numbers_of(V2 "/requests.json?start_date=2020-01-01T00:00:00%2B08:00"
                  "&end_date=2020-03-31T00:00:00%2B08:00",
               got, 10, &n);
    assert_int_equal(n, 0);
    numbers_of(V2 "/requests.json?end_date=2020-03-31", got, 10, &n);
    assert_int_equal(n, 0);
    snprintf(path, sizeof(path), V2 "/requests.json?start_date=%s", from);
    numbers_of(path, got, 1000, &n);
    assert_int_equal(n, all);
    get_error(V2 "/requests.json?start_date=2026-01-01T00:00:00Z&end_date=2026-04-02T00:00:00Z",
              400, "end_date");
    get_error(V2 "/requests.xml?start_date=2026-02-01T00:00:00Z&end_date=2026-01-01T00:00:00Z", 400,
              "end_date");
    numbers_of(V2 "/requests.json?start_date=2026-01-01&end_date=2026-03-31", got, 10, &n);
    get_error(V2 "/requests.json?start_date=yesterday", 400, "start_date");
    get_error(V2 "/requests.xml?end_date=2026-13-01T00:00:00Z", 400, "end_date");
    get_error(V2 "/requests.json?status=pending", 400, "status");
    get_error(V2 "/requests.xml?service_code=C99", 400, "service_code");
    get_error(V2 "/requests.json?service_code=C01,,C02", 400, "service_code");

    /* updated_after / updated_before (extension). */
    snprintf(path, sizeof(path), V2 "/requests.json?updated_after=%s", from);
    numbers_of(path, got, 1000, &n);
    assert_int_equal(n, all);
    snprintf(path, sizeof(path), V2 "/requests.json?updated_after=%s", to);
    numbers_of(path, got, 10, &n);
    assert_int_equal(n, 0);
    snprintf(path, sizeof(path), V2 "/requests.json?updated_before=%s", from);
    numbers_of(path, got, 10, &n);
    assert_int_equal(n, 0);
    snprintf(path, sizeof(path), V2 "/requests.json?updated_after=%s&updated_before=%s", to, from);
    get_error(path, 400, "updated_before");

    /* Paging (extension): pages are disjoint slices of the full list. */
    assert_true(all >= 4);
    char p1[2][32], p2[2][32];
    int n1, n2;
    numbers_of(V2 "/requests.json?page_size=2", p1, 2, &n1);
    numbers_of(V2 "/requests.json?page_size=2&page=2", p2, 2, &n2);
    assert_int_equal(n1, 2);
    assert_int_equal(n2, 2);
    numbers_of(V2 "/requests.json", got, 1000, &n);
    assert_string_equal(p1[0], got[0]);
    assert_string_equal(p1[1], got[1]);
    assert_string_equal(p2[0], got[2]);
    assert_string_equal(p2[1], got[3]);
    numbers_of(V2 "/requests.json?page_size=1000&page=1000", got, 10, &n);
    assert_int_equal(n, 0);
    get_error(V2 "/requests.json?page_size=0", 400, "page_size");
    get_error(V2 "/requests.json?page_size=1001", 400, "page_size");
    get_error(V2 "/requests.xml?page=0", 400, "page");
    get_error(V2 "/requests.json?page=two", 400, "page");

    /* A listed request reads exactly as the request read alone. */
    get(V2 "/requests.json", 200, &r);
    for (size_t i = 0; i < json_object_array_length(r.json); i++) {
        struct json_object *o = json_object_array_get_idx(r.json, i);
        struct api_resp one;
        snprintf(path, sizeof(path), V2 "/requests/%s.json", api_json_str(o, "service_request_id"));
        get(path, 200, &one);
        assert_string_equal(json_object_to_json_string(o),
                            json_object_to_json_string(json_object_array_get_idx(one.json, 0)));
        api_resp_release(&one);
    }
    api_resp_release(&r);

    /* The XML list carries the same requests. */
    get(V2 "/requests.xml?page_size=3", 200, &r);
    xmlDocPtr doc = xml_parse(&r);
    xmlNodePtr root = xmlDocGetRootElement(doc);
    assert_string_equal((const char *)root->name, "service_requests");
    assert_int_equal(count_children(root, "request"), 3);
    for (xmlNodePtr q = root->children; q; q = q->next)
        if (q->type == XML_ELEMENT_NODE)
            assert_children(q, REQUEST_FIELDS);
    xmlFreeDoc(doc);
    api_resp_release(&r);
}

/* ---- a client written to the specification alone ---- */

static void staff(const char *token, const char *number, const char *action, const char *body)
{
    struct json_object *o =
        api_expect(&srv, 200, "POST", token, NULL, body, "/api/v1/tickets/%s/%s", number, action);
    assert_non_null(o);
    json_object_put(o);
}

static const char *status_via_open311(const char *number)
{
    static char st[16];
    char path[128];
    snprintf(path, sizeof(path), V2 "/requests.xml?service_request_id=%s", number);
    struct api_resp r;
    get(path, 200, &r);
    xmlDocPtr doc = xml_parse(&r);
    xmlNodePtr q = child(xmlDocGetRootElement(doc), "request");
    assert_non_null(q);
    snprintf(st, sizeof(st), "%s", text_of(q, "status"));
    xmlFreeDoc(doc);
    api_resp_release(&r);
    return st;
}

static void test_client_follows_to_closed(void **state)
{
    (void)state;
    struct api_resp r;
    /* Discovery names the endpoint and its formats. */
    get(V2 "/discovery.xml", 200, &r);
    xmlDocPtr doc = xml_parse(&r);
    xmlNodePtr ep = child(child(xmlDocGetRootElement(doc), "endpoints"), "endpoint");
    char base[256];
    snprintf(base, sizeof(base), "%s", text_of(ep, "url"));
    const char *slash = strstr(base, "/open311/");
    assert_non_null(slash);
    char prefix[128];
    snprintf(prefix, sizeof(prefix), "%s", slash);
    xmlFreeDoc(doc);
    api_resp_release(&r);

    /* Services: take 城乡建设 and read its definition. */
    char path[512];
    snprintf(path, sizeof(path), "%s/services.xml", prefix);
    get(path, 200, &r);
    doc = xml_parse(&r);
    char code[32] = "";
    for (xmlNodePtr s = xmlDocGetRootElement(doc)->children; s; s = s->next)
        if (s->type == XML_ELEMENT_NODE && !strcmp(text_of(s, "service_name"), "城乡建设"))
            snprintf(code, sizeof(code), "%s", text_of(s, "service_code"));
    assert_true(*code);
    xmlFreeDoc(doc);
    api_resp_release(&r);

    snprintf(path, sizeof(path), "%s/services/%s.xml", prefix, code);
    get(path, 200, &r);
    doc = xml_parse(&r);
    char f[2048];
    int k = snprintf(f, sizeof(f),
                     "api_key=%s&service_code=%s&lat=35.55&long=103.1"
                     "&description=bridge+rail+broken&email=a%%40b.cn",
                     key, code);
    /* Fill every required attribute with its first value. */
    for (xmlNodePtr a = child(child(xmlDocGetRootElement(doc), "attributes"), "attribute"); a;
         a = a->next) {
        if (a->type != XML_ELEMENT_NODE || strcmp(text_of(a, "required"), "true"))
            continue;
        char acode[64];
        snprintf(acode, sizeof(acode), "%s", text_of(a, "code"));
        const char *v = text_of(child(child(a, "values"), "value"), "key");
        k += snprintf(f + k, sizeof(f) - (size_t)k, "&attribute%%5B%s%%5D=%s", acode, v);
    }
    xmlFreeDoc(doc);
    api_resp_release(&r);

    char number[32], token[64];
    snprintf(path, sizeof(path), "%s/requests.xml", prefix);
    post_ok(path, f, number, token);
    assert_string_equal(status_via_open311(number), "open");

    /* Staff work it through /api/v1: dispatch, sign, reply, callback. */
    staff(T(OPERATOR), number, "dispatch", "{\"handler\": \"" API_HOUSING "\"}");
    assert_string_equal(status_via_open311(number), "open");
    staff(T(DEPARTMENT), number, "sign", NULL);
    assert_string_equal(status_via_open311(number), "open");
    staff(T(DEPARTMENT), number, "reply", "{\"reply\": \"护栏已修复\", \"result\": \"resolved\"}");
    assert_string_equal(status_via_open311(number), "closed");
    staff(T(OPERATOR), number, "callback", "{\"resolved\": true, \"satisfaction\": \"satisfied\"}");
    assert_string_equal(status_via_open311(number), "closed");

    /* The request as a whole and its update history. */
    snprintf(path, sizeof(path), "%s/requests/%s.json", prefix, number);
    get(path, 200, &r);
    struct json_object *o = json_object_array_get_idx(r.json, 0);
    check_request_json(o);
    assert_string_equal(api_json_str(o, "status"), "closed");
    assert_non_null(strstr(api_json_str(o, "status_notes"), "护栏已修复"));
    assert_string_equal(api_json_str(o, "agency_responsible"), "临夏县住房和城乡建设局");
    assert_w3c(api_json_str(o, "expected_datetime"));
    api_resp_release(&r);

    snprintf(path, sizeof(path), "%s/requests/%s/updates.json", prefix, number);
    get(path, 200, &r);
    assert_int_equal(json_object_array_length(r.json), 5);
    static const char *const want[] = {"open", "open", "open", "closed", "closed"};
    for (size_t i = 0; i < 5; i++) {
        struct json_object *u = json_object_array_get_idx(r.json, i);
        assert_fields(u, UPDATE_FIELDS);
        assert_string_equal(api_json_str(u, "service_request_id"), number);
        assert_string_equal(api_json_str(u, "status"), want[i]);
        assert_w3c(api_json_str(u, "updated_datetime"));
    }
    assert_non_null(strstr(api_json_str(r.json, "1.description"), "临夏县住房和城乡建设局"));
    assert_non_null(strstr(api_json_str(r.json, "3.description"), "护栏已修复"));
    api_resp_release(&r);
    snprintf(path, sizeof(path), "%s/requests/%s/updates.xml", prefix, number);
    get(path, 200, &r);
    doc = xml_parse(&r);
    xmlNodePtr root = xmlDocGetRootElement(doc);
    assert_string_equal((const char *)root->name, "service_request_updates");
    assert_int_equal(count_children(root, "request_update"), 5);
    assert_children(child(root, "request_update"), UPDATE_FIELDS);
    xmlFreeDoc(doc);
    api_resp_release(&r);

    /* The search shows the closed request as the request read alone. */
    snprintf(path, sizeof(path), "%s/requests/%s.json", prefix, number);
    struct api_resp one;
    get(path, 200, &one);
    snprintf(path, sizeof(path), "%s/requests.json?status=closed&service_code=%s", prefix, code);
    get(path, 200, &r);
    bool found = false;
    for (size_t i = 0; i < json_object_array_length(r.json); i++) {
        struct json_object *o2 = json_object_array_get_idx(r.json, i);
        if (strcmp(api_json_str(o2, "service_request_id"), number) == 0) {
            found = true;
            assert_string_equal(json_object_to_json_string(o2),
                                json_object_to_json_string(json_object_array_get_idx(one.json, 0)));
        }
    }
    assert_true(found);
    api_resp_release(&r);
    api_resp_release(&one);

    /* Staff see in the timeline that it came through the API. */
    assert_true(api_ticket_count(&srv, T(OPERATOR), "status=closed&category=C01") >= 1);
}

int main(void)
{
    LIBXML_TEST_VERSION
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_discovery),
        cmocka_unit_test(test_services),
        cmocka_unit_test(test_service_definition),
        cmocka_unit_test(test_post_errors),
        cmocka_unit_test(test_post_too_large),
        cmocka_unit_test(test_apikey_cli),
        cmocka_unit_test(test_post_and_read),
        cmocka_unit_test(test_locations),
        cmocka_unit_test(test_filters),
        cmocka_unit_test(test_client_follows_to_closed),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
