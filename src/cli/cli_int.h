/* cli_int.h - helpers shared by the CLI's files. */
#ifndef XT_CLI_INT_H
#define XT_CLI_INT_H

#include <stdbool.h>

#include "cli/cli.h"
#include "store/store.h"

int xt_cli_open(const struct xt_opts *o, struct xt_store **s);
void xt_cli_error(const char *what, const struct xt_error *err);
int xt_cli_import(struct xt_store *s, const char *what, const char *file, const char *prefix,
                  bool quiet);
int xt_cli_grids(const struct xt_opts *o);
int xt_cli_migrate_data(const struct xt_opts *o);
int xt_cli_export(const struct xt_opts *o);
int xt_cli_classify(const struct xt_opts *o);   /* classify.c */
int xt_cli_hot_issues(const struct xt_opts *o); /* hotissue.c */
/* apikey add|list|revoke (apikey.c). */
int xt_cli_apikey(const struct xt_opts *o);
int xt_cli_access(const struct xt_opts *o);
/* The demo region's generated road network and facilities (access.c). */
int xt_cli_access_generate(struct xt_store *s, const char *within, bool quiet);
/* Generate grids for counties listed in seats (CSV code,name,lat,lon,radius_km). */
int xt_cli_make_grids(struct xt_store *s, const char *seats, const char *prefix,
                      unsigned long long seed, bool quiet);

/* people.c */
int xt_cli_people(const struct xt_opts *o);
int xt_cli_needs(const struct xt_opts *o);
int xt_cli_people_import(struct xt_store *s, const char *file, const char *mapping,
                         const char *source, const char *unit, bool quiet);
int xt_cli_people_generate(struct xt_store *s, const char *unit, long count, const char *dir,
                           unsigned long long seed, bool lists, bool register_tags, bool quiet);

#endif
