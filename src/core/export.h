/* export.h - what the exports hold: the columns and rows of the ticket,
 * ranking and rates sheets, and the GeoJSON features of units and tickets.
 *
 * Sheets have Chinese headers by default, with the console's zh-CN terms
 * (工单号, 受理时间, 响应率 ...), or English ones; enum values (state, type,
 * channel, result, satisfaction) are written in the same language. The
 * store collects the rows (store/export.c) and lib/sheet.h writes the file.
 *
 * GeoJSON features follow RFC 7946: geometry in WGS 84 lon/lat, polygons by
 * the right-hand rule (see xt_geojson_polygon_normalise). A ticket feature
 * never carries the requester's contact, nor the request text, which may
 * name people: only its number, kind, category, state, places and
 * deadlines.
 *
 * Every json_object returned is new and owned by the caller; names come
 * from the render context's callback (borrowed for the call).
 */
#ifndef XT_EXPORT_H
#define XT_EXPORT_H

#include <stdbool.h>
#include <stdint.h>

#include "core/metrics.h"
#include "core/render.h"
#include "core/ticket.h"
#include "core/unit.h"
#include "lib/sheet.h"

enum xt_export_lang {
    XT_LANG_ZH = 0,
    XT_LANG_EN = 1,
};

/* NULL, "zh", "zh-CN" -> XT_LANG_ZH; "en" -> XT_LANG_EN; else -1. */
int xt_export_lang_parse(const char *s);

/* The columns of a ticket sheet (static storage). */
const struct xt_sheet_col *xt_export_ticket_cols(int lang, int *ncols);
/* One ticket as a row. contact_name/phone are written as given (the caller
 * decides whether they are masked) and may be NULL. */
int xt_export_ticket_row(struct xt_sheet *s, const struct xt_render_ctx *rc,
                         const struct xt_ticket *t, const char *contact_name,
                         const char *contact_phone, int lang, int64_t now);

/* The columns of a rates sheet: with a leading rank column for the
 * ranking. */
const struct xt_sheet_col *xt_export_rates_cols(int lang, bool ranked, int *ncols);
/* One unit's rates for a month (yyyymm) as a row; rank is written when the
 * sheet was made with ranked columns. */
int xt_export_rates_row(struct xt_sheet *s, const struct xt_render_ctx *rc,
                        const struct xt_rates *r, bool ranked, int rank, int month);

/* Sheet titles ("工单", "Tickets", ...) for XLSX worksheet names. */
const char *xt_export_title(const char *what, int lang);

/* A unit as a Feature: "id" its code; properties code, name, level, kind,
 * parent, population, households; geometry its polygon (normalised) when
 * polygon_json is not NULL, else its point, else null. Returns 0, the
 * polygon's XT_EINVAL (err names the unit) or XT_ENOMEM. */
int xt_export_unit_feature(const struct xt_unit *u, const char *polygon_json,
                           struct json_object **out, struct xt_error *err);
/* A ticket as a Feature: "id" its number; properties number, type, urgent,
 * category, category_name, state, channel, grid, grid_name, handler,
 * handler_name, created_at, sign_by, resolve_by, overdue; geometry its
 * point, or null when it has none. */
struct json_object *xt_export_ticket_feature(const struct xt_render_ctx *rc,
                                             const struct xt_ticket *t, int64_t now);
/* A new empty FeatureCollection; add features to its "features" array. */
struct json_object *xt_export_collection(struct json_object **features);

#endif
