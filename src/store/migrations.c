/* migrations.c - schema history. Never edit a released migration: add one.
 * Times are Unix seconds; months are yyyymm integers; unit codes are text. */
#include "store/migrations.h"

static const char m1[] =
    "CREATE TABLE units ("
    "  code TEXT PRIMARY KEY, parent TEXT NOT NULL, name TEXT NOT NULL,"
    "  level INTEGER NOT NULL, kind INTEGER NOT NULL DEFAULT 0,"
    "  lat REAL, lon REAL, polygon TEXT, population INTEGER, households INTEGER,"
    "  dept_key TEXT) WITHOUT ROWID;"
    "CREATE INDEX units_parent ON units(parent, code);"
    "CREATE INDEX units_level ON units(level, code);"
    "CREATE TABLE census ("
    "  code TEXT PRIMARY KEY, name TEXT NOT NULL, population INTEGER, male INTEGER,"
    "  female INTEGER, minority_pct REAL, urban INTEGER, rural INTEGER, households INTEGER,"
    "  household_size REAL, age0_14 REAL, age15_64 REAL, age65 REAL) WITHOUT ROWID;"
    "CREATE TABLE calendar (day TEXT PRIMARY KEY, kind TEXT NOT NULL, name TEXT) WITHOUT ROWID;"
    "CREATE TABLE categories ("
    "  code TEXT PRIMARY KEY, name TEXT NOT NULL, parent TEXT NOT NULL DEFAULT '',"
    "  route TEXT NOT NULL, sign_minutes INTEGER NOT NULL DEFAULT 0,"
    "  resolve_days INTEGER NOT NULL DEFAULT 0) WITHOUT ROWID;"
    "CREATE TABLE accounts ("
    "  id INTEGER PRIMARY KEY, username TEXT NOT NULL UNIQUE, pwhash TEXT NOT NULL,"
    "  role TEXT NOT NULL, scope TEXT NOT NULL, display_name TEXT,"
    "  created_at INTEGER NOT NULL, disabled INTEGER NOT NULL DEFAULT 0,"
    "  failed INTEGER NOT NULL DEFAULT 0, locked_until INTEGER NOT NULL DEFAULT 0);"
    "CREATE TABLE sessions ("
    "  digest TEXT PRIMARY KEY, account_id INTEGER NOT NULL REFERENCES accounts(id),"
    "  created_at INTEGER NOT NULL, revoked INTEGER NOT NULL DEFAULT 0) WITHOUT ROWID;"
    "CREATE TABLE ticket_counters (day TEXT PRIMARY KEY, seq INTEGER NOT NULL) WITHOUT ROWID;"
    "CREATE TABLE tickets ("
    "  id INTEGER PRIMARY KEY, number TEXT NOT NULL UNIQUE, state INTEGER NOT NULL,"
    "  type INTEGER NOT NULL, channel INTEGER NOT NULL, urgent INTEGER NOT NULL,"
    "  category TEXT NOT NULL, text TEXT NOT NULL, address TEXT, lat REAL, lon REAL,"
    "  grid TEXT NOT NULL, lead TEXT NOT NULL DEFAULT '', handler TEXT NOT NULL DEFAULT '',"
    "  cohandlers TEXT, sign_by INTEGER, resolve_by INTEGER,"
    "  created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL, dispatched_at INTEGER,"
    "  signed_at INTEGER, replied_at INTEGER, closed_at INTEGER, result INTEGER, reply TEXT,"
    "  resolved INTEGER, satisfaction INTEGER, unreachable INTEGER, ext_pending INTEGER,"
    "  ext_days INTEGER, escalated INTEGER, returns INTEGER, reopens INTEGER,"
    "  merged_into TEXT, creator_id INTEGER, assignment_id INTEGER,"
    "  contact_name TEXT, contact_phone TEXT, phone_index TEXT,"
    "  suggested_category TEXT, suggested_handler TEXT, suggested_confidence REAL);"
    "CREATE INDEX tickets_state ON tickets(state, id);"
    "CREATE INDEX tickets_grid ON tickets(grid, id);"
    "CREATE INDEX tickets_lead ON tickets(lead, id);"
    "CREATE INDEX tickets_handler ON tickets(handler, id);"
    "CREATE INDEX tickets_created ON tickets(created_at);"
    "CREATE INDEX tickets_phone ON tickets(phone_index) WHERE phone_index IS NOT NULL;"
    "CREATE TABLE events ("
    "  id INTEGER PRIMARY KEY, ticket_id INTEGER NOT NULL REFERENCES tickets(id),"
    "  action INTEGER NOT NULL, from_state INTEGER, to_state INTEGER NOT NULL,"
    "  at INTEGER NOT NULL, actor_id INTEGER NOT NULL, actor_name TEXT NOT NULL,"
    "  actor_role INTEGER NOT NULL, actor_scope TEXT NOT NULL, unit TEXT, note TEXT);"
    "CREATE INDEX events_ticket ON events(ticket_id, id);"
    "CREATE TRIGGER events_append_only_u BEFORE UPDATE ON events"
    "  BEGIN SELECT RAISE(ABORT, 'the timeline is append-only'); END;"
    "CREATE TRIGGER events_append_only_d BEFORE DELETE ON events"
    "  BEGIN SELECT RAISE(ABORT, 'the timeline is append-only'); END;"
    "CREATE TABLE assignments ("
    "  id INTEGER PRIMARY KEY, ticket_id INTEGER NOT NULL REFERENCES tickets(id),"
    "  unit TEXT NOT NULL, month INTEGER NOT NULL, dispatched_at INTEGER NOT NULL,"
    "  sign_by INTEGER NOT NULL, signed_at INTEGER, resolve_by INTEGER NOT NULL,"
    "  replied_at INTEGER, returned INTEGER NOT NULL DEFAULT 0,"
    "  called_back INTEGER NOT NULL DEFAULT 0, resolved INTEGER NOT NULL DEFAULT -1,"
    "  satisfaction INTEGER NOT NULL DEFAULT 0, repeat INTEGER NOT NULL DEFAULT 0,"
    "  proactive INTEGER NOT NULL DEFAULT 0, escalated INTEGER NOT NULL DEFAULT 0);"
    "CREATE INDEX assignments_month ON assignments(month, unit);"
    "CREATE INDEX assignments_ticket ON assignments(ticket_id);"
    "CREATE TABLE audit ("
    "  id INTEGER PRIMARY KEY, at INTEGER NOT NULL, actor_id INTEGER NOT NULL,"
    "  actor_name TEXT NOT NULL, actor_role TEXT NOT NULL, action TEXT NOT NULL,"
    "  object TEXT NOT NULL, detail TEXT NOT NULL, prev_hash TEXT NOT NULL, hash TEXT NOT NULL);"
    "CREATE TABLE idempotency ("
    "  key TEXT NOT NULL, account_id INTEGER NOT NULL, status INTEGER NOT NULL,"
    "  body TEXT NOT NULL, created_at INTEGER NOT NULL, PRIMARY KEY (key, account_id))"
    "  WITHOUT ROWID;";

/* The masked contact is kept beside the sealed one so that an ordinary read
 * (which shows it masked) needs no decryption. A masked value reveals no
 * more than every response already shows. */
static const char m2[] = "ALTER TABLE tickets ADD COLUMN contact_name_masked TEXT;"
                         "ALTER TABLE tickets ADD COLUMN contact_phone_masked TEXT;";

/* Tracking codes of requests filed without an account (track.c): only a
 * keyed hash of each code, and the count of wrong codes for throttling.
 * The same text serves both backends. */
static const char m3[] =
    "CREATE TABLE ticket_tracking ("
    "  number TEXT PRIMARY KEY, code_hash TEXT NOT NULL, issued_at BIGINT NOT NULL,"
    "  failures INTEGER NOT NULL DEFAULT 0, locked_until BIGINT NOT NULL DEFAULT 0);";

/* The overdue sweep's two questions, as partial indexes: at province
 * scale a scan of every open ticket took ~0.8 s inside a write batch. */
static const char m4[] =
    "CREATE INDEX tickets_due_resolve ON tickets(resolve_by)"
    "  WHERE state IN (0, 1, 2, 5) AND escalated = 0;"
    "CREATE INDEX tickets_due_sign ON tickets(sign_by)"
    "  WHERE state = 1 AND signed_at IS NULL AND escalated = 0;";

/* Auto-dispatch: every dispatch whose category or unit differs from what
 * the classifier suggested, for retraining (xietong classify train
 * --overrides). The same text serves both backends. */
static const char m5[] =
    "CREATE TABLE classify_overrides ("
    "  id INTEGER PRIMARY KEY, ticket_id BIGINT NOT NULL REFERENCES tickets(id),"
    "  at BIGINT NOT NULL, actor_id BIGINT NOT NULL, suggested_category TEXT NOT NULL,"
    "  suggested_handler TEXT NOT NULL, confidence DOUBLE PRECISION,"
    "  chosen_category TEXT NOT NULL, chosen_handler TEXT NOT NULL);"
    "CREATE INDEX classify_overrides_ticket ON classify_overrides(ticket_id, id);";
static const char pg5[] =
    "CREATE TABLE classify_overrides ("
    "  id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,"
    "  ticket_id BIGINT NOT NULL REFERENCES tickets(id),"
    "  at BIGINT NOT NULL, actor_id BIGINT NOT NULL, suggested_category TEXT NOT NULL,"
    "  suggested_handler TEXT NOT NULL, confidence DOUBLE PRECISION,"
    "  chosen_category TEXT NOT NULL, chosen_handler TEXT NOT NULL);"
    "CREATE INDEX classify_overrides_ticket ON classify_overrides(ticket_id, id);";
/* Open311 GeoReport v2 (open311.c): API keys of outside apps, each acting
 * as a service account (an operator that cannot log in), stored by the
 * SHA-256 of the key; and per request filed through Open311 its token,
 * the key that filed it, the sealed e-mail and the media URL. */
static const char m6[] =
    "CREATE TABLE api_keys ("
    "  id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, key_hash TEXT NOT NULL UNIQUE,"
    "  account_id INTEGER NOT NULL REFERENCES accounts(id), created_at INTEGER NOT NULL,"
    "  revoked_at INTEGER NOT NULL DEFAULT 0);"
    "CREATE TABLE open311_requests ("
    "  number TEXT PRIMARY KEY, token TEXT NOT NULL UNIQUE, api_key_id INTEGER NOT NULL,"
    "  email TEXT, email_masked TEXT, device_id TEXT, media_url TEXT,"
    "  created_at INTEGER NOT NULL) WITHOUT ROWID;";

/* People and households (一网整合): residents merged from departmental
 * lists. Protected values (ID number, birth date, phone, ethnicity, a
 * minor's name, sensitive tags, each list's row) are sealed "v1:" strings;
 * id_index is the keyed blind index of the ID number for exact linkage.
 * resident_sources keeps what each list said (lineage), person_conflicts
 * the differences awaiting a person, people_imports one row per imported
 * file (its hash makes a repeated import a no-op). */
#define PEOPLE_SCHEMA(ID, BIG, NOROWID)                                                            \
    "CREATE TABLE households ("                                                                    \
    "  id " ID ", hh_key TEXT NOT NULL UNIQUE, unit TEXT NOT NULL, address TEXT,"                 \
    "  created_at " BIG " NOT NULL);"                                                              \
    "CREATE TABLE residents ("                                                                     \
    "  id " ID ", unit TEXT NOT NULL, household_id " BIG ", relation TEXT,"                       \
    "  name TEXT NOT NULL, name_masked TEXT NOT NULL, minor INTEGER NOT NULL DEFAULT 0,"          \
    "  id_index TEXT, id_sealed TEXT, id_masked TEXT, birth_sealed TEXT, birth_year INTEGER,"    \
    "  sex INTEGER NOT NULL DEFAULT 0, phone_sealed TEXT, phone_masked TEXT,"                     \
    "  ethnicity_sealed TEXT, languages TEXT, address TEXT,"                                      \
    "  created_at " BIG " NOT NULL, updated_at " BIG " NOT NULL);"                                \
    "CREATE UNIQUE INDEX residents_id_index ON residents(id_index) WHERE id_index IS NOT NULL;"  \
    "CREATE INDEX residents_unit ON residents(unit, id);"                                         \
    "CREATE INDEX residents_household ON residents(household_id);"                                \
    "CREATE TABLE resident_tags ("                                                                 \
    "  id " ID ", resident_id " BIG " NOT NULL, unit TEXT NOT NULL, tag TEXT,"                    \
    "  tag_sealed TEXT, grade INTEGER NOT NULL DEFAULT 0, source TEXT NOT NULL,"                  \
    "  since TEXT NOT NULL, added_at " BIG " NOT NULL);"                                           \
    "CREATE INDEX resident_tags_resident ON resident_tags(resident_id);"                          \
    "CREATE INDEX resident_tags_unit ON resident_tags(unit);"                                     \
    "CREATE TABLE resident_sources ("                                                              \
    "  resident_id " BIG " NOT NULL, source TEXT NOT NULL, run_id " BIG " NOT NULL,"              \
    "  seen_at " BIG " NOT NULL, data_sealed TEXT NOT NULL, PRIMARY KEY (resident_id, source))"   \
    NOROWID ";"                                                                                    \
    "CREATE TABLE person_conflicts ("                                                              \
    "  id " ID ", resident_id " BIG " NOT NULL, field TEXT NOT NULL, source TEXT NOT NULL,"       \
    "  other_id " BIG ", opened_at " BIG " NOT NULL, resolved_at " BIG ", resolved_by TEXT,"      \
    "  resolution TEXT);"                                                                          \
    "CREATE INDEX person_conflicts_resident ON person_conflicts(resident_id);"                     \
    "CREATE TABLE people_imports ("                                                                \
    "  id " ID ", source TEXT NOT NULL, file_hash TEXT NOT NULL, file_name TEXT NOT NULL,"        \
    "  unit TEXT NOT NULL, at " BIG " NOT NULL, actor TEXT NOT NULL, rows_read " BIG " NOT NULL," \
    "  rows_new " BIG " NOT NULL, rows_merged " BIG " NOT NULL, rows_unchanged " BIG " NOT NULL,"  \
    "  rows_conflicting " BIG " NOT NULL, rows_review " BIG " NOT NULL,"                           \
    "  rows_rejected " BIG " NOT NULL, report TEXT NOT NULL, UNIQUE (source, file_hash));"

static const char m7[] = PEOPLE_SCHEMA("INTEGER PRIMARY KEY", "INTEGER", " WITHOUT ROWID");
static const char pg7[] =
    PEOPLE_SCHEMA("BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY", "BIGINT", "");
static const char m8[] =
    /* public-service facilities (服务半径); source_ref keys re-imports */
    "CREATE TABLE facilities ("
    "  id INTEGER PRIMARY KEY, type TEXT NOT NULL, name TEXT NOT NULL, capacity REAL,"
    "  lat REAL NOT NULL, lon REAL NOT NULL, unit TEXT NOT NULL DEFAULT '',"
    "  source TEXT NOT NULL DEFAULT 'manual', source_ref TEXT,"
    "  created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL);"
    "CREATE INDEX facilities_type ON facilities(type, id);"
    "CREATE UNIQUE INDEX facilities_source ON facilities(source, source_ref);";

static const char m9[] =
    /* duplicates at intake: each ticket's text signature (hotissue.h), and
     * a village's open tickets newest first, read no further than needed
     * however many the village has (the village is the grid's first 12
     * digits) */
    "ALTER TABLE tickets ADD COLUMN text_sig TEXT;"
    "CREATE INDEX tickets_open_village ON tickets(substr(grid, 1, 12), id)"
    " WHERE state IN (0, 1, 2, 5);";

/* The indexes written at each intake. A page of every index an insert
 * touches is written to the WAL at each commit (commits hold about five
 * tickets when 16 clients file at once), a random key's page at each
 * ticket. Kept: each index some query reads.
 * - Both: no query reads tickets by phone_index (the blind index of the
 *   phone stays in each row), and its random keys cost a page per ticket;
 *   a search by phone would bring the index back. tickets_due_resolve
 *   leaves out tickets without a resolution deadline (received ones:
 *   every new ticket); the sweep asks for resolve_by < now, which implies
 *   it.
 * - SQLite looks for duplicates at intake in memory (dupcache.c), catching
 *   up on new tickets by the table's own order and loading a village once
 *   by tickets_grid, so the village index is not read there; PostgreSQL's
 *   check reads it at every intake. SQLite answers the ticket list (the
 *   only query naming lead or handler) by the row id, its parameters
 *   being optional ("?3 IS NULL OR ..."), so tickets_lead and
 *   tickets_handler are never read there; PostgreSQL plans that query
 *   with the values and may use them. And SQLite evaluates a partial
 *   index's "state IN (0, 1, 2, 5)" at each insert by building a
 *   temporary table of the list; the same condition as comparisons costs
 *   nothing (the sweep says it the same way, see tickets.c). */
static const char m10[] =
    "DROP INDEX tickets_phone;"
    "DROP INDEX tickets_open_village;"
    "DROP INDEX tickets_lead;"
    "DROP INDEX tickets_handler;"
    "DROP INDEX tickets_due_resolve;"
    "CREATE INDEX tickets_due_resolve ON tickets(resolve_by)"
    "  WHERE (state BETWEEN 0 AND 2 OR state = 5) AND escalated = 0 AND resolve_by IS NOT NULL;";
static const char pg10[] =
    "DROP INDEX tickets_phone;"
    "DROP INDEX tickets_due_resolve;"
    "CREATE INDEX tickets_due_resolve ON tickets(resolve_by)"
    "  WHERE state IN (0, 1, 2, 5) AND escalated = 0 AND resolve_by IS NOT NULL;";

const struct xt_migration xt_migrations[] = {
    {1, "units, reference tables, accounts, tickets, timeline, assignments, audit", m1},
    {2, "masked contact beside the sealed one", m2},
    {3, "tracking codes for requests filed without an account", m3},
    {4, "partial indexes for the overdue sweep", m4},
    {5, "operator overrides of the classifier's suggestion", m5},
    {6, "Open311: API keys and requests filed through them", m6},
    {7, "people and households, lineage, conflicts, imports", m7},
    {8, "public-service facilities", m8},
    {9, "text signatures and open tickets by village for duplicates at intake", m9},
    {10, "indexes written at each intake: only those read", m10},
};

/* PostgreSQL: the same schema with its types (BIGINT times, identity keys,
 * DOUBLE PRECISION) and the append-only timeline as a trigger function. */
static const char pg1[] =
    "CREATE TABLE units ("
    "  code TEXT PRIMARY KEY, parent TEXT NOT NULL, name TEXT NOT NULL,"
    "  level INTEGER NOT NULL, kind INTEGER NOT NULL DEFAULT 0,"
    "  lat DOUBLE PRECISION, lon DOUBLE PRECISION, polygon TEXT, population BIGINT,"
    "  households BIGINT, dept_key TEXT);"
    "CREATE INDEX units_parent ON units(parent, code);"
    "CREATE INDEX units_level ON units(level, code);"
    "CREATE TABLE census ("
    "  code TEXT PRIMARY KEY, name TEXT NOT NULL, population BIGINT, male BIGINT,"
    "  female BIGINT, minority_pct DOUBLE PRECISION, urban BIGINT, rural BIGINT,"
    "  households BIGINT, household_size DOUBLE PRECISION, age0_14 DOUBLE PRECISION,"
    "  age15_64 DOUBLE PRECISION, age65 DOUBLE PRECISION);"
    "CREATE TABLE calendar (day TEXT PRIMARY KEY, kind TEXT NOT NULL, name TEXT);"
    "CREATE TABLE categories ("
    "  code TEXT PRIMARY KEY, name TEXT NOT NULL, parent TEXT NOT NULL DEFAULT '',"
    "  route TEXT NOT NULL, sign_minutes INTEGER NOT NULL DEFAULT 0,"
    "  resolve_days INTEGER NOT NULL DEFAULT 0);"
    "CREATE TABLE accounts ("
    "  id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, username TEXT NOT NULL UNIQUE,"
    "  pwhash TEXT NOT NULL, role TEXT NOT NULL, scope TEXT NOT NULL, display_name TEXT,"
    "  created_at BIGINT NOT NULL, disabled INTEGER NOT NULL DEFAULT 0,"
    "  failed INTEGER NOT NULL DEFAULT 0, locked_until BIGINT NOT NULL DEFAULT 0);"
    "CREATE TABLE sessions ("
    "  digest TEXT PRIMARY KEY, account_id BIGINT NOT NULL REFERENCES accounts(id),"
    "  created_at BIGINT NOT NULL, revoked INTEGER NOT NULL DEFAULT 0);"
    "CREATE TABLE ticket_counters (day TEXT PRIMARY KEY, seq BIGINT NOT NULL);"
    "CREATE TABLE tickets ("
    "  id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, number TEXT NOT NULL UNIQUE,"
    "  state INTEGER NOT NULL, type INTEGER NOT NULL, channel INTEGER NOT NULL,"
    "  urgent INTEGER NOT NULL, category TEXT NOT NULL, text TEXT NOT NULL, address TEXT,"
    "  lat DOUBLE PRECISION, lon DOUBLE PRECISION, grid TEXT NOT NULL,"
    "  lead TEXT NOT NULL DEFAULT '', handler TEXT NOT NULL DEFAULT '', cohandlers TEXT,"
    "  sign_by BIGINT, resolve_by BIGINT, created_at BIGINT NOT NULL, updated_at BIGINT NOT NULL,"
    "  dispatched_at BIGINT, signed_at BIGINT, replied_at BIGINT, closed_at BIGINT,"
    "  result INTEGER, reply TEXT, resolved INTEGER, satisfaction INTEGER, unreachable INTEGER,"
    "  ext_pending INTEGER, ext_days INTEGER, escalated INTEGER, returns INTEGER,"
    "  reopens INTEGER, merged_into TEXT, creator_id BIGINT, assignment_id BIGINT,"
    "  contact_name TEXT, contact_phone TEXT, phone_index TEXT,"
    "  suggested_category TEXT, suggested_handler TEXT, suggested_confidence DOUBLE PRECISION);"
    "CREATE INDEX tickets_state ON tickets(state, id);"
    "CREATE INDEX tickets_grid ON tickets(grid, id);"
    "CREATE INDEX tickets_lead ON tickets(lead, id);"
    "CREATE INDEX tickets_handler ON tickets(handler, id);"
    "CREATE INDEX tickets_created ON tickets(created_at);"
    "CREATE INDEX tickets_phone ON tickets(phone_index) WHERE phone_index IS NOT NULL;"
    "CREATE TABLE events ("
    "  id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,"
    "  ticket_id BIGINT NOT NULL REFERENCES tickets(id),"
    "  action INTEGER NOT NULL, from_state INTEGER, to_state INTEGER NOT NULL,"
    "  at BIGINT NOT NULL, actor_id BIGINT NOT NULL, actor_name TEXT NOT NULL,"
    "  actor_role INTEGER NOT NULL, actor_scope TEXT NOT NULL, unit TEXT, note TEXT);"
    "CREATE INDEX events_ticket ON events(ticket_id, id);"
    "CREATE FUNCTION xt_append_only() RETURNS trigger LANGUAGE plpgsql AS"
    "  $$ BEGIN RAISE EXCEPTION 'the timeline is append-only'; END $$;"
    "CREATE TRIGGER events_append_only BEFORE UPDATE OR DELETE ON events"
    "  FOR EACH ROW EXECUTE FUNCTION xt_append_only();"
    "CREATE TABLE assignments ("
    "  id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,"
    "  ticket_id BIGINT NOT NULL REFERENCES tickets(id),"
    "  unit TEXT NOT NULL, month INTEGER NOT NULL, dispatched_at BIGINT NOT NULL,"
    "  sign_by BIGINT NOT NULL, signed_at BIGINT, resolve_by BIGINT NOT NULL,"
    "  replied_at BIGINT, returned INTEGER NOT NULL DEFAULT 0,"
    "  called_back INTEGER NOT NULL DEFAULT 0, resolved INTEGER NOT NULL DEFAULT -1,"
    "  satisfaction INTEGER NOT NULL DEFAULT 0, repeat INTEGER NOT NULL DEFAULT 0,"
    "  proactive INTEGER NOT NULL DEFAULT 0, escalated INTEGER NOT NULL DEFAULT 0);"
    "CREATE INDEX assignments_month ON assignments(month, unit);"
    "CREATE INDEX assignments_ticket ON assignments(ticket_id);"
    "CREATE TABLE audit ("
    "  id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, at BIGINT NOT NULL,"
    "  actor_id BIGINT NOT NULL, actor_name TEXT NOT NULL, actor_role TEXT NOT NULL,"
    "  action TEXT NOT NULL, object TEXT NOT NULL, detail TEXT NOT NULL,"
    "  prev_hash TEXT NOT NULL, hash TEXT NOT NULL);"
    "CREATE TABLE idempotency ("
    "  key TEXT NOT NULL, account_id BIGINT NOT NULL, status INTEGER NOT NULL,"
    "  body TEXT NOT NULL, created_at BIGINT NOT NULL, PRIMARY KEY (key, account_id));";

static const char pg6[] =
    "CREATE TABLE api_keys ("
    "  id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, name TEXT NOT NULL UNIQUE,"
    "  key_hash TEXT NOT NULL UNIQUE, account_id BIGINT NOT NULL REFERENCES accounts(id),"
    "  created_at BIGINT NOT NULL, revoked_at BIGINT NOT NULL DEFAULT 0);"
    "CREATE TABLE open311_requests ("
    "  number TEXT PRIMARY KEY, token TEXT NOT NULL UNIQUE, api_key_id BIGINT NOT NULL,"
    "  email TEXT, email_masked TEXT, device_id TEXT, media_url TEXT,"
    "  created_at BIGINT NOT NULL);";
static const char pg8[] =
    "CREATE TABLE facilities ("
    "  id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, type TEXT NOT NULL,"
    "  name TEXT NOT NULL, capacity DOUBLE PRECISION, lat DOUBLE PRECISION NOT NULL,"
    "  lon DOUBLE PRECISION NOT NULL, unit TEXT NOT NULL DEFAULT '',"
    "  source TEXT NOT NULL DEFAULT 'manual', source_ref TEXT,"
    "  created_at BIGINT NOT NULL, updated_at BIGINT NOT NULL);"
    "CREATE INDEX facilities_type ON facilities(type, id);"
    "CREATE UNIQUE INDEX facilities_source ON facilities(source, source_ref);";

const struct xt_migration xt_migrations_pg[] = {
    {1, "units, reference tables, accounts, tickets, timeline, assignments, audit", pg1},
    {2, "masked contact beside the sealed one", m2},
    {3, "tracking codes for requests filed without an account", m3},
    {4, "partial indexes for the overdue sweep", m4},
    {5, "operator overrides of the classifier's suggestion", pg5},
    {6, "Open311: API keys and requests filed through them", pg6},
    {7, "people and households, lineage, conflicts, imports", pg7},
    {8, "public-service facilities", pg8},
    {9, "text signatures and open tickets by village for duplicates at intake", m9},
    {10, "indexes written at each intake: only those read", pg10},
};

const int xt_migration_count = (int)(sizeof(xt_migrations) / sizeof(xt_migrations[0]));
_Static_assert(sizeof(xt_migrations) / sizeof(xt_migrations[0]) ==
                   sizeof(xt_migrations_pg) / sizeof(xt_migrations_pg[0]),
               "every migration needs its PostgreSQL twin");
