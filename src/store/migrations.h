/* migrations.h - the numbered schema migrations, in order. */
#ifndef XT_MIGRATIONS_H
#define XT_MIGRATIONS_H

struct xt_migration {
    int version;
    const char *name;
    const char *sql;
};

extern const struct xt_migration xt_migrations[];
extern const int xt_migration_count;

#endif
