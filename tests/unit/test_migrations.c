/* test_migrations.c - the SQLite and PostgreSQL migrations stay in step:
 * same count (also a compile-time check in migrations.c), same version and
 * name at each position, versions strictly increasing from 1. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <string.h>

#include "store/migrations.h"

static void test_in_step(void **state)
{
    (void)state;
    assert_true(xt_migration_count >= 2);
    for (int i = 0; i < xt_migration_count; i++) {
        const struct xt_migration *a = &xt_migrations[i], *b = &xt_migrations_pg[i];
        assert_int_equal(a->version, i + 1);
        assert_int_equal(b->version, a->version);
        assert_string_equal(b->name, a->name);
        assert_non_null(a->sql);
        assert_non_null(b->sql);
        assert_true(strlen(a->sql) > 0 && strlen(b->sql) > 0);
    }
}

static void test_postgres_schema_has_no_sqlite_words(void **state)
{
    (void)state;
    /* Words that only SQLite understands would fail on PostgreSQL. */
    static const char *const sqlite_only[] = {"WITHOUT ROWID", "AUTOINCREMENT", "PRAGMA",
                                              "INSERT OR "};
    for (int i = 0; i < xt_migration_count; i++)
        for (size_t k = 0; k < sizeof(sqlite_only) / sizeof(sqlite_only[0]); k++)
            assert_null(strstr(xt_migrations_pg[i].sql, sqlite_only[k]));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_in_step),
        cmocka_unit_test(test_postgres_schema_has_no_sqlite_words),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
