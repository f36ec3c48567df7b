/* routes.c - the declarative route table: method, path, handler, who may
 * call it, the largest body it accepts and the audit action of writes.
 * The access-control matrix test reads this table. */
#include "http/server.h"

#define STAFF XT_R_STAFF
#define ANYONE 0u
#define LOGGED_IN XT_R_ANY
#define KB 1024
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
    {"GET", "/api/v1/metrics/ranking", xt_h_ranking,
     XT_R(XT_ROLE_ADMIN) | XT_R(XT_ROLE_COMMAND) | XT_R(XT_ROLE_OPERATOR), 0, NULL},
    {"GET", "/api/v1/audit/verify", xt_h_audit_verify, XT_R(XT_ROLE_AUDITOR) | XT_R(XT_ROLE_ADMIN),
     0, NULL},
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
