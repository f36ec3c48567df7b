/* migrations.h - the numbered schema migrations, in order. */
#ifndef XT_MIGRATIONS_H
#define XT_MIGRATIONS_H

struct xt_migration {
    int version;
    const char *name;
    const char *sql;
};

/* The same migrations for SQLite and for PostgreSQL, in step: entry i of
 * both lists has the same version and name (a unit test checks it). */
extern const struct xt_migration xt_migrations[];
extern const struct xt_migration xt_migrations_pg[];
extern const int xt_migration_count;

#endif
