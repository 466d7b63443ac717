/* store_schema.c - the ordered schema migrations. Migration N takes a file
 * from user_version N-1 to N; each runs in its own transaction with the
 * version bump, so a failed migration leaves the file at N-1.
 *
 * Never edit a migration that has shipped: add a new one. Each area owns
 * its migration: 1 people and the import ledger, 2 survey, 3 activity,
 * 4 scoring, 5 service (invitations, audit, erasure), 6 activity again
 * (weekly cells keyed by one integer, de-duplication keys in chunks),
 * 7 scoring again (the activity feature cache; snapshot_scores as a rowid
 * table), 8 the pilot workflow (published snapshots, pilots, invitation
 * resets with a reason), 9 roster column maps, 10 outcomes (engagement left unreported in
 * activity; ratings after a pilot), 11 activity from reports over several weeks (coarse),
 * 12 service again (the audit log counted per minute), 13 scoring again (rank intervals),
 * 14 the import ledger again (the bytes' digest), 15 scoring again (the facts of the detail
 * stored once: score_facts), 16 scoring again (the scored part of the detail in columns).
 */
#include "core/store_schema.h"

static const char migration_1[] =
    /* key/value settings: the erasure secret, the active weight profile */
    "CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;"
    /* The import ledger: one row per committed import. sha256 is taken
     * over the normalised records, so the same content under another
     * name, quoting or line ending is a duplicate. */
    "CREATE TABLE imports("
    " id INTEGER PRIMARY KEY,"
    " kind TEXT NOT NULL,"
    " source TEXT NOT NULL,"
    " sha256 TEXT NOT NULL,"
    " imported_at INTEGER NOT NULL,"
    " rows_read INTEGER NOT NULL DEFAULT 0,"
    " rows_kept INTEGER NOT NULL DEFAULT 0,"
    " rows_rejected INTEGER NOT NULL DEFAULT 0,"
    " rows_skipped INTEGER NOT NULL DEFAULT 0);"
    /* Not UNIQUE: a roster equal to an older one (but not to the latest)
     * is a real change. */
    "CREATE INDEX imports_hash ON imports(kind, sha256);"
    /* People from the roster. pid is the internal key every other table
     * uses; employee_id appears only here. departed_at is set when a newer
     * roster no longer lists the person. */
    "CREATE TABLE people("
    " pid INTEGER PRIMARY KEY,"
    " employee_id TEXT NOT NULL UNIQUE,"
    " name TEXT,"
    " email TEXT,"
    " department TEXT NOT NULL,"
    " level TEXT,"
    " consent TEXT NOT NULL DEFAULT '' CHECK (consent IN ('yes','no','')),"
    " departed_at INTEGER,"
    " updated_at INTEGER NOT NULL,"
    " roster_import INTEGER,"
    " roster_line INTEGER);";

static const char migration_2[] =
    /* Codebook items as last imported, keyed by the export's header text. */
    "CREATE TABLE survey_items("
    " item TEXT PRIMARY KEY,"
    " construct TEXT NOT NULL,"
    " min REAL NOT NULL,"
    " max REAL NOT NULL,"
    " reverse INTEGER NOT NULL,"
    " import_id INTEGER NOT NULL) WITHOUT ROWID;"
    /* The latest response per person (latest submitted_at wins). */
    "CREATE TABLE survey_responses("
    " pid INTEGER PRIMARY KEY,"
    " submitted_at INTEGER,"
    " started_at INTEGER,"
    " careless TEXT," /* NULL, 'straight_line' or 'too_fast' */
    " import_id INTEGER NOT NULL);"
    /* Answers on the item's own scale, as given (not reversed). */
    "CREATE TABLE survey_answers("
    " pid INTEGER NOT NULL,"
    " item TEXT NOT NULL,"
    " value REAL NOT NULL,"
    " PRIMARY KEY(pid, item)) WITHOUT ROWID;"
    /* Construct scores in 0..1 after reversing; NULL below the answered
     * share a construct needs. */
    "CREATE TABLE survey_scores("
    " pid INTEGER NOT NULL,"
    " construct TEXT NOT NULL,"
    " score REAL,"
    " answered INTEGER NOT NULL,"
    " items INTEGER NOT NULL,"
    " PRIMARY KEY(pid, construct)) WITHOUT ROWID;";

static const char migration_3[] =
    "CREATE TABLE platforms(id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE);"
    /* De-duplication keys of events already counted: (week << 51) | 51
     * bits of SHA-256 over employee id, platform and post_id (or the whole
     * normalised row). Time-ordered exports insert near the end of the
     * B-tree. No content of the event is kept. */
    "CREATE TABLE activity_seen(key INTEGER PRIMARY KEY);"
    /* What scoring needs, at the grain it needs: per person, week,
     * platform, kind and origin, with engagement sums. Raw events are not
     * kept. week = whole weeks since Monday 2000-01-03. */
    "CREATE TABLE activity_weekly("
    " pid INTEGER NOT NULL,"
    " week INTEGER NOT NULL,"
    " platform INTEGER NOT NULL,"
    " kind INTEGER NOT NULL,"
    " origin INTEGER NOT NULL,"
    " events INTEGER NOT NULL,"
    " reach INTEGER NOT NULL,"
    " reactions INTEGER NOT NULL,"
    " comments INTEGER NOT NULL,"
    " shares INTEGER NOT NULL,"
    " clicks INTEGER NOT NULL,"
    " PRIMARY KEY(pid, week, platform, kind, origin)) WITHOUT ROWID;";

static const char migration_4[] =
    /* Weight profiles: every change is a new version (rollback too: it
     * writes a new version equal to an old one), so history is never
     * rewritten. The active profile's name is meta 'active_profile' and its
     * newest version is in force. params is a JSON object (scorer/profile.c
     * documents the keys). */
    "CREATE TABLE profiles("
    " name TEXT NOT NULL,"
    " version INTEGER NOT NULL,"
    " params TEXT NOT NULL,"
    " author TEXT NOT NULL,"
    " created_at INTEGER NOT NULL,"
    " note TEXT,"
    " PRIMARY KEY(name, version)) WITHOUT ROWID;"
    /* Immutable score snapshots, numbered by id. as_of is the time the
     * scores are computed for (the end of the activity window), computed_at
     * when they were computed; params is a copy of the weights used, so a
     * snapshot explains itself even if the profile changes later. */
    "CREATE TABLE snapshots("
    " id INTEGER PRIMARY KEY,"
    " computed_at INTEGER NOT NULL,"
    " as_of INTEGER NOT NULL,"
    " profile TEXT NOT NULL,"
    " profile_version INTEGER NOT NULL,"
    " params TEXT NOT NULL,"
    " people INTEGER NOT NULL,"
    " eligible INTEGER NOT NULL);"
    /* One row per person scored (never opted-out, departed or recently
     * declined people). rank is NULL and score 0 when not eligible;
     * attitude and motivation are NULL when unknown (no trusted survey
     * answer). detail is JSON: docs/design.md, section 'How scoring works' describes it. */
    "CREATE TABLE snapshot_scores("
    " snapshot_id INTEGER NOT NULL,"
    " pid INTEGER NOT NULL,"
    " eligible INTEGER NOT NULL,"
    " rank INTEGER,"
    " score REAL NOT NULL,"
    " activity REAL NOT NULL,"
    " attitude REAL,"
    " motivation REAL,"
    " detail TEXT NOT NULL,"
    " PRIMARY KEY(snapshot_id, pid)) WITHOUT ROWID;"
    "CREATE INDEX snapshot_scores_pid ON snapshot_scores(pid);"
    "CREATE INDEX snapshot_scores_rank ON snapshot_scores(snapshot_id, rank)"
    " WHERE rank IS NOT NULL;";

static const char migration_5[] =
    "CREATE TABLE invitations("
    " pid INTEGER PRIMARY KEY,"
    " status TEXT NOT NULL CHECK (status IN"
    "  ('invited','accepted','declined','withdrawn')),"
    " updated_at INTEGER NOT NULL,"
    " updated_by TEXT NOT NULL);"
    "CREATE TABLE invitation_history("
    " id INTEGER PRIMARY KEY,"
    " pid INTEGER NOT NULL,"
    " status TEXT NOT NULL,"
    " at INTEGER NOT NULL,"
    " by TEXT NOT NULL);"
    "CREATE INDEX invitation_history_pid ON invitation_history(pid);"
    /* Who asked what: never the request payload or personal data. */
    "CREATE TABLE audit_log("
    " id INTEGER PRIMARY KEY,"
    " at INTEGER NOT NULL,"
    " client TEXT NOT NULL,"
    " role TEXT NOT NULL,"
    " op TEXT NOT NULL,"
    " people INTEGER NOT NULL,"
    " status TEXT NOT NULL);"
    /* That an erasure happened, never whose. */
    "CREATE TABLE erasures(id INTEGER PRIMARY KEY, at INTEGER NOT NULL, by TEXT NOT NULL);"
    /* HMAC of erased employee ids, so an old export cannot bring them back. */
    "CREATE TABLE suppressed(hmac BLOB PRIMARY KEY) WITHOUT ROWID;";

static const char migration_6[] =
    /* Frozen, as every migration: the layout is core/store_activity.h's
     * (ACTIVITY_CELL_*), written out as it was when this step was made.
     * The weekly cells keyed by one integer in the same order as before,
     * cell = (pid << 25) | (week << 13) | (platform << 4) | (kind << 1) |
     * origin (week < 2^12, platform < 2^9, kind < 2^3): an integer-keyed
     * table takes an upsert for less work than the five-column key, and a
     * person's rows are still one range (pid << 25 up to (pid + 1) << 25).
     * pid, week, platform, kind and origin are virtual columns computed
     * from cell: readable in queries, never stored or bound. */
    "CREATE TABLE activity_cells("
    " cell INTEGER PRIMARY KEY,"
    " events INTEGER NOT NULL,"
    " reach INTEGER NOT NULL,"
    " reactions INTEGER NOT NULL,"
    " comments INTEGER NOT NULL,"
    " shares INTEGER NOT NULL,"
    " clicks INTEGER NOT NULL,"
    " pid INTEGER AS (cell >> 25) VIRTUAL,"
    " week INTEGER AS ((cell >> 13) & 4095) VIRTUAL,"
    " platform INTEGER AS ((cell >> 4) & 511) VIRTUAL,"
    " kind INTEGER AS ((cell >> 1) & 7) VIRTUAL,"
    " origin INTEGER AS (cell & 1) VIRTUAL);"
    "INSERT INTO activity_cells(cell, events, reach, reactions, comments, shares, clicks)"
    /* SQLite gives << and | the same precedence: every shift in brackets */
    " SELECT (pid << 25) | (week << 13) | (platform << 4) | (kind << 1) | origin, events,"
    " reach, reactions, comments, shares, clicks"
    " FROM activity_weekly ORDER BY pid, week, platform, kind, origin;"
    "DROP TABLE activity_weekly;"
    "ALTER TABLE activity_cells RENAME TO activity_weekly;"
    /* De-duplication keys in chunks (core/store_activity.h): a blob of
     * sorted keys per week and 8 bits of hash. activity_seen stays for
     * keys written before; the importer moves them into chunks. */
    "CREATE TABLE activity_seen_chunks(chunk INTEGER PRIMARY KEY, keys BLOB NOT NULL);";

static const char migration_7[] =
    /* Scoring's decayed activity sums per person, for one as_of week,
     * window and half-life (meta 'activity_features') at one activity
     * version (meta 'activity_features_version'; core/store_features.h).
     * A cache of activity_weekly: a score after a weight change reads a
     * row per person instead of every weekly cell. platforms holds a
     * fixed record per platform (core/store_features.c). Personal data:
     * a person's purge deletes the row. */
    "CREATE TABLE activity_features("
    " pid INTEGER PRIMARY KEY,"
    " weeks_active INTEGER NOT NULL,"
    " steady_weight REAL NOT NULL,"
    " platforms BLOB NOT NULL);"
    /* snapshot_scores as a rowid table, same columns and keys: in a
     * WITHOUT ROWID table a row above about 1000 bytes (a third of the
     * details) spills into an overflow page of its own, so a snapshot
     * wrote twice the pages its rows fill; a rowid table keeps rows up to
     * about 4000 bytes on the leaf. */
    "CREATE TABLE snapshot_scores_rowid("
    " snapshot_id INTEGER NOT NULL,"
    " pid INTEGER NOT NULL,"
    " eligible INTEGER NOT NULL,"
    " rank INTEGER,"
    " score REAL NOT NULL,"
    " activity REAL NOT NULL,"
    " attitude REAL,"
    " motivation REAL,"
    " detail TEXT NOT NULL,"
    " PRIMARY KEY(snapshot_id, pid));"
    "INSERT INTO snapshot_scores_rowid SELECT snapshot_id, pid, eligible, rank, score,"
    " activity, attitude, motivation, detail FROM snapshot_scores ORDER BY snapshot_id, pid;"
    "DROP TABLE snapshot_scores;"
    "ALTER TABLE snapshot_scores_rowid RENAME TO snapshot_scores;"
    "CREATE INDEX snapshot_scores_pid ON snapshot_scores(pid);"
    "CREATE INDEX snapshot_scores_rank ON snapshot_scores(snapshot_id, rank)"
    " WHERE rank IS NOT NULL;";

static const char migration_8[] =
    /* Which snapshot is live: the newest row names it. A snapshot that was
     * never published is a draft (an analyst's trial): nothing serves it
     * unless asked for by id. Upgrading publishes the newest snapshot, as
     * it was served before. */
    "CREATE TABLE publications("
    " id INTEGER PRIMARY KEY,"
    " snapshot_id INTEGER NOT NULL,"
    " at INTEGER NOT NULL,"
    " by TEXT NOT NULL);"
    "INSERT INTO publications(snapshot_id, at, by)"
    " SELECT id, computed_at, 'upgrade' FROM snapshots ORDER BY id DESC LIMIT 1;"
    /* max(imports.id) when the snapshot was written: a later import means
     * the data is newer than the scores. NULL for older snapshots. */
    "ALTER TABLE snapshots ADD COLUMN imports_seen INTEGER;"
    /* Pilots: a candidate list a person reviewed. Proposed from a
     * snapshot, changed by add/remove while a draft, frozen once approved;
     * the intranet invites the newest approved pilot. */
    "CREATE TABLE pilots("
    " id INTEGER PRIMARY KEY,"
    " name TEXT NOT NULL UNIQUE,"
    " snapshot_id INTEGER NOT NULL,"
    " size INTEGER NOT NULL,"
    " created_at INTEGER NOT NULL,"
    " created_by TEXT NOT NULL,"
    " approved_at INTEGER,"
    " approved_by TEXT);"
    "CREATE TABLE pilot_members("
    " pilot_id INTEGER NOT NULL,"
    " pid INTEGER NOT NULL,"
    " position INTEGER NOT NULL,"
    " reason TEXT NOT NULL,"
    " PRIMARY KEY(pilot_id, pid)) WITHOUT ROWID;"
    "CREATE INDEX pilot_members_pid ON pilot_members(pid);"
    /* The evidence that a person decided: every proposal, addition,
     * removal and approval with time, author and reason. pid is NULL for
     * actions on the whole pilot. Erasure deletes a person's rows. */
    "CREATE TABLE pilot_log("
    " id INTEGER PRIMARY KEY,"
    " pilot_id INTEGER NOT NULL,"
    " at INTEGER NOT NULL,"
    " author TEXT NOT NULL,"
    " action TEXT NOT NULL,"
    " pid INTEGER,"
    " reason TEXT);"
    "CREATE INDEX pilot_log_pid ON pilot_log(pid);"
    /* Departments match ignoring case (the roster keeps the first
     * spelling): found by this index, not a scan per roster row. */
    "CREATE INDEX people_department ON people(department COLLATE NOCASE);"
    /* HR may set a status back to none, with the reason kept. */
    "ALTER TABLE invitation_history ADD COLUMN reason TEXT;";

static const char migration_9[] =
    /* The column map of a roster export (`import roster --map`), keyed by
     * the digest of its header, so the next export with the same header
     * needs no --map. map holds "field=header" lines; no personal data. */
    "CREATE TABLE roster_maps("
    " header_key TEXT PRIMARY KEY,"
    " map TEXT NOT NULL,"
    " import_id INTEGER NOT NULL);";

static const char migration_10[] =
    /* Events whose export reported none of reactions, comments and shares
     * (an archive without counts): their engagement is unknown, and
     * response leaves those posts out instead of counting them as zero.
     * Cells written before knew no difference: 0. */
    "ALTER TABLE activity_weekly ADD COLUMN unrated INTEGER NOT NULL DEFAULT 0;"
    /* Ratings HR gives after a pilot (`import outcomes`), one per person
     * and date; a later import of the same person and date replaces it.
     * scale is the file's: 1 (values 0/1) or 5 (values 1-5). Personal
     * data: a person's purge deletes the rows. Outcomes from invitations
     * and activity are derived when asked, never stored. */
    "CREATE TABLE outcomes("
    " pid INTEGER NOT NULL,"
    " at INTEGER NOT NULL,"
    " value INTEGER NOT NULL CHECK (value BETWEEN 0 AND 5),"
    " scale INTEGER NOT NULL CHECK (scale IN (1, 5)),"
    " note TEXT,"
    " import_id INTEGER NOT NULL,"
    " line INTEGER NOT NULL,"
    " PRIMARY KEY(pid, at)) WITHOUT ROWID;";

static const char migration_11[] =
    /* Events that came from a report over several weeks (a 28-day Viva
     * Engage report) and were spread evenly over its weeks: how they fell
     * within the period is not known, so steadiness cannot be observed
     * from them. Cells written before were all exact: 0. */
    "ALTER TABLE activity_weekly ADD COLUMN coarse INTEGER NOT NULL DEFAULT 0;"
    /* The feature cache carries the same fact per person (1 = some cell of
     * the window was coarse). */
    "ALTER TABLE activity_features ADD COLUMN coarse INTEGER NOT NULL DEFAULT 0;";

static const char migration_12[] =
    /* The audit log, bounded by design: one row per (minute, client, role,
     * op, status) with the number of requests and of people returned, not
     * one row per request (a client sending pings as fast as it can no
     * longer fills the disk). at is the start of the minute. Rows written
     * before are counted into their minute. */
    "CREATE TABLE audit_minutes("
    " id INTEGER PRIMARY KEY,"
    " at INTEGER NOT NULL,"
    " client TEXT NOT NULL,"
    " role TEXT NOT NULL,"
    " op TEXT NOT NULL,"
    " people INTEGER NOT NULL,"
    " status TEXT NOT NULL,"
    " requests INTEGER NOT NULL DEFAULT 1);"
    "INSERT INTO audit_minutes(at, client, role, op, people, status, requests)"
    " SELECT at - at % 60, client, role, op, sum(people), status, count(*) FROM audit_log"
    " GROUP BY at - at % 60, client, role, op, status ORDER BY min(id);"
    "DROP TABLE audit_log;"
    "ALTER TABLE audit_minutes RENAME TO audit_log;"
    "CREATE UNIQUE INDEX audit_log_minute ON audit_log(at, client, role, op, status);";

static const char migration_13[] =
    /* A scored person's 90% rank interval (scorer/interval.h) when the
     * snapshot was scored with intervals; NULL otherwise and for anyone
     * not eligible. Older snapshots have none. */
    "ALTER TABLE snapshot_scores ADD COLUMN rank_lo INTEGER;"
    "ALTER TABLE snapshot_scores ADD COLUMN rank_hi INTEGER;";

static const char migration_14[] =
    /* The SHA-256 of the file's bytes as read (NULL for archives and
     * standard input): the same file again is recognised before its rows
     * are read (import_known_bytes). sha256 stays the digest of the
     * normalised records, which also catches a re-encoded copy. */
    "ALTER TABLE imports ADD COLUMN bytes_sha256 TEXT;";

static const char migration_15[] =
    /* The part of each scored person's detail that does not depend on the
     * weights (scorer/detail.h: activity in total and per platform, survey
     * inputs), stored once and shared by every snapshot row whose facts
     * hash the same: a score after a weight change writes only the scored
     * part. hash is the scorer's 64-bit hash of what the facts say
     * (scorer/snapshot.c), unique per person. Personal data: a person's
     * erasure deletes their rows; retention deletes rows no snapshot row
     * refers to. snapshot_details gives every row's whole detail. */
    "CREATE TABLE score_facts("
    " id INTEGER PRIMARY KEY,"
    " pid INTEGER NOT NULL,"
    " hash INTEGER NOT NULL,"
    " facts TEXT NOT NULL);"
    "CREATE UNIQUE INDEX score_facts_key ON score_facts(pid, hash);"
    "ALTER TABLE snapshot_scores ADD COLUMN facts_id INTEGER;"
    /* Every new snapshot put an entry between the entries of each person
     * in this index, so it rewrote nearly all of it, for every snapshot
     * kept: the few readers by person seek each snapshot's key instead. */
    "DROP INDEX snapshot_scores_pid;"
    /* Written out, not SQL_SNAPSHOT_DETAIL: a migration never changes
     * (tests/scorer/test_detail.c checks both against the encoder). */
    "CREATE VIEW snapshot_details(snapshot_id, pid, detail) AS SELECT ss.snapshot_id, ss.pid,"
    " CASE WHEN ss.facts_id IS NULL THEN ss.detail ELSE substr(ss.detail, 1,"
    " length(ss.detail) - 2) || ',' || (SELECT substr(facts, 11) FROM score_facts"
    " WHERE id = ss.facts_id) END FROM snapshot_scores ss;";

static const char migration_16[] =
    /* The scored part of each new row's detail in columns, a member each
     * (core/store_scores.h, struct snapshot_scored): the JSON's names
     * made a row three times its size, and writing them was a third of a
     * score after a weight change. The numbers are texts, as the detail
     * prints them; why_not and consent, the same few texts in every
     * snapshot, are stored once in score_texts and referred to. A row has
     * flags when it was written so; its `detail` is then empty. Older
     * rows keep their JSON. */
    "CREATE TABLE score_texts(id INTEGER PRIMARY KEY, text TEXT NOT NULL UNIQUE);"
    "ALTER TABLE snapshot_scores ADD COLUMN flags INTEGER;"
    "ALTER TABLE snapshot_scores ADD COLUMN why_not_id INTEGER;"
    "ALTER TABLE snapshot_scores ADD COLUMN consent_id INTEGER;"
    "ALTER TABLE snapshot_scores ADD COLUMN steadiness TEXT;"
    "ALTER TABLE snapshot_scores ADD COLUMN volume TEXT;"
    "ALTER TABLE snapshot_scores ADD COLUMN response TEXT;"
    "ALTER TABLE snapshot_scores ADD COLUMN conversation TEXT;"
    "ALTER TABLE snapshot_scores ADD COLUMN authenticity TEXT;"
    "ALTER TABLE snapshot_scores ADD COLUMN weighted_volume TEXT;"
    "ALTER TABLE snapshot_scores ADD COLUMN own_share TEXT;"
    "ALTER TABLE snapshot_scores ADD COLUMN engagement_per_post_shrunk TEXT;"
    "ALTER TABLE snapshot_scores ADD COLUMN company_engagement_per_post TEXT;"
    /* Written out, not SQL_SNAPSHOT_DETAIL: a migration never changes
     * (tests/scorer/test_detail.c checks both against the encoder). */
    "DROP VIEW snapshot_details;"
    "CREATE VIEW snapshot_details(snapshot_id, pid, detail) AS SELECT ss.snapshot_id, ss.pid,"
    " CASE WHEN ss.flags IS NULL THEN CASE WHEN ss.facts_id IS NULL THEN ss.detail ELSE"
    " substr(ss.detail, 1, length(ss.detail) - 2) || ',' || (SELECT substr(facts, 11)"
    " FROM score_facts WHERE id = ss.facts_id) END ELSE printf('{\"eligible\":%s,"
    "\"why_not\":%s,\"flags\":%d,\"consent\":%s,\"activity\":{\"steadiness\":%s,"
    "\"volume\":%s,\"response\":%s,\"conversation\":%s,\"authenticity\":%s},"
    "\"facts\":{\"weighted_volume\":%s,\"own_share\":%s,"
    "\"engagement_per_post_shrunk\":%s,\"company_engagement_per_post\":%s',"
    " CASE WHEN ss.eligible THEN 'true' ELSE 'false' END,"
    " CASE WHEN ss.eligible THEN 'null' ELSE json_quote(coalesce((SELECT text FROM score_texts"
    " WHERE id = ss.why_not_id), '')) END, ss.flags, json_quote(coalesce((SELECT text"
    " FROM score_texts WHERE id = ss.consent_id), '')), coalesce(ss.steadiness, 'null'),"
    " coalesce(ss.volume, 'null'), coalesce(ss.response, 'null'),"
    " coalesce(ss.conversation, 'null'), coalesce(ss.authenticity, 'null'),"
    " coalesce(ss.weighted_volume, 'null'), coalesce(ss.own_share, 'null'),"
    " coalesce(ss.engagement_per_post_shrunk, 'null'),"
    " coalesce(ss.company_engagement_per_post, 'null')) || CASE WHEN ss.facts_id IS NULL"
    " THEN '}}' ELSE ',' || (SELECT substr(facts, 11) FROM score_facts"
    " WHERE id = ss.facts_id) END END FROM snapshot_scores ss;";

const char *const store_migrations[STORE_SCHEMA_VERSION] = {
    migration_1,  migration_2,  migration_3,  migration_4,  migration_5,  migration_6,
    migration_7,  migration_8,  migration_9,  migration_10, migration_11, migration_12,
    migration_13, migration_14, migration_15, migration_16,
};
