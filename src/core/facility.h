/* facility.h - types of public-service facilities (公共服务设施) and their
 * default service standards (服务半径), as a table.
 *
 * A service standard is the longest acceptable travel time to the nearest
 * facility of a type, per mode. Defaults follow common county planning
 * practice (primary school 30 min, township health centre 60 min by car);
 * a CSV `type,car_min,foot_min` replaces them (xt_standards_load).
 */
#ifndef XT_FACILITY_H
#define XT_FACILITY_H

#include "lib/err.h"

/* X(code, Chinese name, car minutes, foot minutes) */
#define XT_FACILITY_TYPES(X)                                                                       \
    X(primary_school, "小学", 30, 45)                                                              \
    X(secondary_school, "中学", 45, 90)                                                            \
    X(kindergarten, "幼儿园", 20, 30)                                                              \
    X(township_health_centre, "乡镇卫生院", 60, 120)                                               \
    X(village_clinic, "村卫生室", 20, 30)                                                          \
    X(hospital, "县医院", 90, 240)                                                                 \
    X(elderly_care, "养老服务中心", 30, 45)                                                        \
    X(service_hall, "便民服务中心", 60, 120)                                                       \
    X(cultural_station, "综合文化站", 45, 60)

enum xt_facility_type {
#define XT_FT_ENUM(code, zh, car, foot) XT_FT_##code,
    XT_FACILITY_TYPES(XT_FT_ENUM)
#undef XT_FT_ENUM
        XT_FT_N
};

/* Type by code; -1 when unknown. */
int xt_facility_type_parse(const char *code);
const char *xt_facility_type_code(int type);
const char *xt_facility_type_zh(int type);

struct xt_standards {
    double minutes[XT_FT_N][2]; /* [type][mode], mode as in roadnet.h */
};
void xt_standards_default(struct xt_standards *st);
int xt_standards_load(struct xt_standards *st, const char *path, struct xt_error *err);

/* The facility type that an OSM object's tags describe, or -1. keys and
 * values are parallel arrays of n tags. Schools are primary unless
 * isced:level, school:level or the name says secondary. */
int xt_facility_type_from_osm(const char *const *keys, const char *const *values, int n);

#endif
