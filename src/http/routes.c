/* routes.c - the declarative route table: method, path, handler, who may
 * call it, the largest body it accepts and the audit action of writes.
 * The access-control matrix test reads this table. */
#include "http/server.h"

#define STAFF XT_R_STAFF
#define ANYONE 0u
#define LOGGED_IN XT_R_ANY
#define KB 1024
#define RATES_ROLES                                                                                \
    (XT_R(XT_ROLE_ADMIN) | XT_R(XT_ROLE_COMMAND) | XT_R(XT_ROLE_OPERATOR) |                        \
     XT_R(XT_ROLE_DEPARTMENT) | XT_R(XT_ROLE_TOWNSHIP) | XT_R(XT_ROLE_VILLAGE))
#define RANKING_ROLES (XT_R(XT_ROLE_ADMIN) | XT_R(XT_ROLE_COMMAND) | XT_R(XT_ROLE_OPERATOR))
#define PEOPLE                                                                                     \
    (XT_R(XT_ROLE_ADMIN) | XT_R(XT_ROLE_COMMAND) | XT_R(XT_ROLE_DEPARTMENT) |                      \
     XT_R(XT_ROLE_TOWNSHIP) | XT_R(XT_ROLE_VILLAGE) | XT_R(XT_ROLE_GRID))
#define FAC_WRITERS (XT_R(XT_ROLE_ADMIN) | XT_R(XT_ROLE_COMMAND) | XT_R(XT_ROLE_DEPARTMENT))

const struct xt_route xt_routes[] = {
    {"GET", "/api/v1/health", xt_h_health, ANYONE, 0, NULL},
    {"POST", "/api/v1/sessions", xt_h_login, ANYONE, 4 * KB, "session.login"},
    {"DELETE", "/api/v1/sessions/current", xt_h_logout, LOGGED_IN, 0, "session.logout"},
    {"GET", "/api/v1/me", xt_h_me, LOGGED_IN, 0, NULL},
    {"POST", "/api/v1/accounts", xt_h_account_create, XT_R(XT_ROLE_ADMIN), 4 * KB,
     "account.create"},
    /* Residents may file without an account (anonymous web intake). */
    {"POST", "/api/v1/tickets", xt_h_ticket_create, ANYONE, 64 * KB, "ticket.create"},
    {"GET", "/api/v1/tickets", xt_h_ticket_list, LOGGED_IN, 0, NULL},
    {"GET", "/api/v1/tickets/{number}", xt_h_ticket_get, LOGGED_IN, 0, NULL},
    {"GET", "/api/v1/tickets/{number}/timeline", xt_h_ticket_timeline, LOGGED_IN, 0, NULL},
    {"POST", "/api/v1/tickets/{number}/{action}", xt_h_ticket_act, LOGGED_IN, 16 * KB,
     "ticket.action"},
    {"GET", "/api/v1/units/lookup", xt_h_unit_lookup, STAFF, 0, NULL},
    {"GET", "/api/v1/units/{code}", xt_h_unit_get, STAFF, 0, NULL},
    {"GET", "/api/v1/units/{code}/children", xt_h_unit_children, STAFF, 0, NULL},
    {"GET", "/api/v1/categories", xt_h_categories, ANYONE, 0, NULL},
    /* Residents without an account: place names to say where, and their
     * own request by number and tracking code (h_public.c). */
    {"GET", "/api/v1/places", xt_h_places, ANYONE, 0, NULL},
    {"GET", "/api/v1/places/{code}", xt_h_places, ANYONE, 0, NULL},
    {"GET", "/api/v1/track/{number}", xt_h_track_get, ANYONE, 0, NULL},
    {"POST", "/api/v1/track/{number}/callback", xt_h_track_callback, ANYONE, 4 * KB,
     "ticket.callback"},
    {"GET", "/api/v1/metrics/rates", xt_h_rates,
     XT_R(XT_ROLE_ADMIN) | XT_R(XT_ROLE_COMMAND) | XT_R(XT_ROLE_OPERATOR) |
         XT_R(XT_ROLE_DEPARTMENT) | XT_R(XT_ROLE_TOWNSHIP) | XT_R(XT_ROLE_VILLAGE),
     0, NULL},
    {"GET", "/api/v1/hot-issues", xt_h_hot_issues,
     XT_R(XT_ROLE_ADMIN) | XT_R(XT_ROLE_COMMAND) | XT_R(XT_ROLE_OPERATOR) |
         XT_R(XT_ROLE_DEPARTMENT) | XT_R(XT_ROLE_TOWNSHIP) | XT_R(XT_ROLE_VILLAGE),
     0, NULL},
    {"GET", "/api/v1/metrics/ranking", xt_h_ranking,
     XT_R(XT_ROLE_ADMIN) | XT_R(XT_ROLE_COMMAND) | XT_R(XT_ROLE_OPERATOR), 0, NULL},
    {"GET", "/api/v1/audit/verify", xt_h_audit_verify, XT_R(XT_ROLE_AUDITOR) | XT_R(XT_ROLE_ADMIN),
     0, NULL},
    /* Downloads (h_export.c): the last segment names the content and format. */
    {"GET", "/api/v1/export/units.geojson", xt_h_export, STAFF, 0, NULL},
    {"GET", "/api/v1/export/tickets.geojson", xt_h_export, STAFF, 0, NULL},
    {"GET", "/api/v1/export/tickets.csv", xt_h_export, STAFF, 0, NULL},
    {"GET", "/api/v1/export/tickets.xlsx", xt_h_export, STAFF, 0, NULL},
    {"GET", "/api/v1/export/ranking.csv", xt_h_export, RANKING_ROLES, 0, NULL},
    {"GET", "/api/v1/export/ranking.xlsx", xt_h_export, RANKING_ROLES, 0, NULL},
    {"GET", "/api/v1/export/rates.csv", xt_h_export, RATES_ROLES, 0, NULL},
    {"GET", "/api/v1/export/rates.xlsx", xt_h_export, RATES_ROLES, 0, NULL},
    /* Open311 GeoReport v2 (docs/OPEN311.md): the handler parses the rest
     * of the path and its .xml/.json suffix, and answers errors as
     * errors/error. GET is public; POST needs an api_key. The body of a
     * POST is form-encoded: 4,000 characters of description take up to
     * 36 KB when percent-encoded. */
    {"GET", "/open311/v2/{path*}", xt_h_open311_get, ANYONE, 0, NULL},
    {"POST", "/open311/v2/{path*}", xt_h_open311_post, ANYONE, 64 * KB, "open311.request"},
    /* People and households (一网整合): what each role sees is decided by
     * the store (store/people.h); these masks only keep out the roles
     * that see no one. */
    {"GET", "/api/v1/residents", xt_h_people_list, PEOPLE, 0, NULL},
    {"GET", "/api/v1/residents/{id}", xt_h_people_get, PEOPLE, 0, NULL},
    {"POST", "/api/v1/residents/{id}", xt_h_people_edit, PEOPLE, 16 * KB, "people.edit"},
    {"POST", "/api/v1/residents/{id}/conflicts/{cid}/resolve", xt_h_people_resolve, PEOPLE,
     4 * KB, "people.resolve"},
    {"POST", "/api/v1/people/imports", xt_h_people_import,
     XT_R(XT_ROLE_ADMIN) | XT_R(XT_ROLE_COMMAND) | XT_R(XT_ROLE_DEPARTMENT), 32 * 1024 * KB,
     "people.import"},
    {"GET", "/api/v1/needs", xt_h_needs, PEOPLE, 0, NULL},
    /* Access to public services (h_access.c): facilities are edited by the
     * command centre, admin and county departments, read by all staff. */
    {"GET", "/api/v1/access/facilities", xt_h_facility_list, STAFF, 0, NULL},
    {"POST", "/api/v1/access/facilities", xt_h_facility_create, FAC_WRITERS, 8 * KB,
     "facility.create"},
    {"GET", "/api/v1/access/facilities/{id}", xt_h_facility_get, STAFF, 0, NULL},
    {"PUT", "/api/v1/access/facilities/{id}", xt_h_facility_update, FAC_WRITERS, 8 * KB,
     "facility.update"},
    {"DELETE", "/api/v1/access/facilities/{id}", xt_h_facility_delete, FAC_WRITERS, 0,
     "facility.delete"},
    {"GET", "/api/v1/access/travel", xt_h_access_travel, STAFF, 0, NULL},
    {"GET", "/api/v1/access/coverage", xt_h_access_coverage, STAFF, 0, NULL},
    {"GET", "/api/v1/access/scores", xt_h_access_scores, STAFF, 0, NULL},
    {"GET", "/api/v1/access/sites", xt_h_access_sites, STAFF, 0, NULL},
    {"GET", "/api/v1/access/bands", xt_h_access_bands, STAFF, 0, NULL},
    {"GET", "/", xt_h_static, ANYONE, 0, NULL},
    {"GET", "/{path*}", xt_h_static, ANYONE, 0, NULL},
};

const size_t xt_route_count = sizeof(xt_routes) / sizeof(xt_routes[0]);

const struct xt_error_format xt_error_formats[] = {
    {"/open311/", xt_open311_errors},
};

const size_t xt_error_format_count = sizeof(xt_error_formats) / sizeof(xt_error_formats[0]);
