/* h_sessions.c - health, login, logout, me, accounts. */
#include "http/server.h"
#include "lib/crypto.h"
#include "core/render.h"
#include "lib/xtime.h"

#include <string.h>

int xt_h_health(struct xt_req *r)
{
    struct json_object *o = json_object_new_object();
    json_object_object_add(o, "status", json_object_new_string("ok"));
    json_object_object_add(o, "time", xt_render_time(r->now));
    return xt_reply(r, 200, o);
}

static struct json_object *account_json(const struct xt_actor *a, struct xt_store *s)
{
    struct json_object *o = json_object_new_object();
    json_object_object_add(o, "username", json_object_new_string(a->username));
    json_object_object_add(o, "role", json_object_new_string(xt_role_name(a->role)));
    struct json_object *scope = NULL;
    if (*a->scope) {
        scope = json_object_new_object();
        json_object_object_add(scope, "code", json_object_new_string(a->scope));
        const char *name = xt_store_unit_name(s, a->scope);
        json_object_object_add(scope, "name", name ? json_object_new_string(name) : NULL);
    }
    json_object_object_add(o, "scope", scope);
    return o;
}

int xt_h_login(struct xt_req *r)
{
    struct json_object *body;
    int rc = xt_req_json(r, &body);
    if (rc)
        return rc;
    const char *user = NULL, *pass = NULL;
    if ((rc = xt_json_string(body, "username", "username", true, 64, &user, &r->err)) ||
        (rc = xt_json_string(body, "password", "password", true, 256, &pass, &r->err))) {
        json_object_put(body);
        return rc;
    }
    char token[XT_TOKEN_LEN + 1];
    struct xt_actor actor;
    rc = xt_store_login(r->store, user, pass, r->now, token, &actor, &r->err);
    json_object_put(body);
    if (rc)
        return rc;
    struct json_object *o = json_object_new_object();
    json_object_object_add(o, "token", json_object_new_string(token));
    json_object_object_add(o, "idle_timeout_s", json_object_new_int(XT_SESSION_IDLE));
    json_object_object_add(o, "expires_at", xt_render_time(r->now + XT_SESSION_MAX));
    json_object_object_add(o, "account", account_json(&actor, r->store));
    return xt_reply(r, 201, o);
}

int xt_h_logout(struct xt_req *r)
{
    const char *h = xt_req_header(r, "Authorization");
    if (!h || strncmp(h, "Bearer ", 7) != 0)
        return xt_error_set(&r->err, XT_EINVAL, "Authorization", "a bearer token is required");
    int rc = xt_store_logout(r->store, &r->actor, h + 7, r->now);
    if (rc)
        return xt_error_set(&r->err, rc, "", "cannot end the session");
    struct json_object *o = json_object_new_object();
    json_object_object_add(o, "ended", json_object_new_boolean(1));
    return xt_reply(r, 200, o);
}

int xt_h_me(struct xt_req *r)
{
    return xt_reply(r, 200, account_json(&r->actor, r->store));
}

int xt_h_account_create(struct xt_req *r)
{
    struct json_object *body;
    int rc = xt_req_json(r, &body);
    if (rc)
        return rc;
    const char *user = NULL, *pass = NULL, *role = NULL, *scope = "", *display = NULL;
    if ((rc = xt_json_string(body, "username", "username", true, 64, &user, &r->err)) ||
        (rc = xt_json_string(body, "password", "password", true, 256, &pass, &r->err)) ||
        (rc = xt_json_string(body, "role", "role", true, 32, &role, &r->err)) ||
        (rc = xt_json_string(body, "scope", "scope", false, 32, &scope, &r->err)) ||
        (rc = xt_json_string(body, "display_name", "display_name", false, 128, &display,
                             &r->err))) {
        json_object_put(body);
        return rc;
    }
    int rl = xt_role_parse(role);
    /* role and scope point into body: name them before it goes. */
    if (rl < 0) {
        rc = xt_error_set(&r->err, XT_EINVAL, "role", "unknown role '%s'", role);
        json_object_put(body);
        return rc;
    }
    if (*scope && !xt_actor_covers(&r->actor, scope)) {
        rc = xt_error_set(&r->err, XT_EPERM, "scope", "'%s' is outside your area", scope);
        json_object_put(body);
        return rc;
    }
    rc = xt_store_account_create(r->store, user, pass, rl, scope, display, &r->err);
    if (rc) {
        json_object_put(body);
        return rc;
    }
    struct xt_actor a;
    memset(&a, 0, sizeof(a));
    snprintf(a.username, sizeof(a.username), "%s", user);
    a.role = rl;
    snprintf(a.scope, sizeof(a.scope), "%s", scope);
    json_object_put(body);
    return xt_reply(r, 201, account_json(&a, r->store));
}

int xt_h_audit_verify(struct xt_req *r)
{
    int64_t bad = 0;
    long rows = 0;
    int rc = xt_store_audit_verify(r->store, &bad, &rows);
    if (rc && rc != XT_EINVAL)
        return xt_error_set(&r->err, rc, "", "cannot read the audit log");
    struct json_object *o = json_object_new_object();
    json_object_object_add(o, "intact", json_object_new_boolean(rc == 0));
    json_object_object_add(o, "rows", json_object_new_int64(rows));
    json_object_object_add(o, "first_bad_id", bad ? json_object_new_int64(bad) : NULL);
    return xt_reply(r, 200, o);
}
