//! Connecting to SQLite or PostgreSQL (picked from the URL at run time) and migrating.

use crate::{Result, StoreError};
use async_trait::async_trait;
use everychild_domain::{Clock, Timestamp};
use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::{AnyPool, ConnectOptions, Executor};
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

static SQLITE_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("../../migrations/sqlite");
static POSTGRES_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("../../migrations/postgres");

/// Which database is behind the store.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// The embedded default.
    Sqlite,
    /// The production database.
    Postgres,
}

/// Pool settings from configuration.
#[derive(Debug, Clone)]
pub struct PoolSettings {
    /// Most connections at once.
    pub max_connections: u32,
    /// How long a request waits for a connection before failing with 503.
    pub acquire_timeout: Duration,
}

impl Default for PoolSettings {
    fn default() -> Self {
        Self {
            max_connections: 8,
            acquire_timeout: Duration::from_secs(5),
        }
    }
}

/// The store over one database.
#[derive(Debug, Clone)]
pub struct SqlStore {
    pub(crate) pool: AnyPool,
    pub(crate) backend: Backend,
    pub(crate) clock: Arc<dyn Clock>,
    /// On SQLite, audited writers queue here rather than in SQLite's sleeping busy handler.
    pub(crate) writer_lock: Option<Arc<tokio::sync::Mutex<()>>>,
    /// The group-commit writer for view and search events.
    pub(crate) audit_queue: tokio::sync::mpsc::Sender<crate::batch::Queued>,
    /// The in-memory geography index.
    pub(crate) geo: Arc<crate::GeoCache>,
    /// The directory's in-memory search index.
    pub(crate) directory: Arc<crate::directory::DirectoryCache>,
    /// The casework rules in force (stuck cases, the concern alert).
    pub(crate) rules: crate::CaseRules,
    /// The access rules in force (how long involvements last, volumes of reads).
    pub(crate) access: crate::AccessRules,
    /// The keys that seal audit events (shared with the group-commit writer).
    pub(crate) sealing: Sealing,
}

/// Every table, for [`SqlStore::analyze_all`].
const ALL_TABLES: &[&str] = &[
    "organisations",
    "localities",
    "users",
    "user_localities",
    "sessions",
    "sign_in_failures",
    "api_tokens",
    "audit_head",
    "audit_events",
    "authorities",
    "wards",
    "lsoas",
    "deprivation",
    "population",
    "postcodes",
    "schools",
    "boundary_sets",
    "boundary_set_wards",
    "age_phases",
    "sites",
    "teams",
    "team_members",
    "citywide_services",
    "citywide_contacts",
    "geo_version",
    "persons",
    "person_addresses",
    "person_relationships",
    "involvements",
    "person_flags",
    "agency_records",
    "link_reviews",
    "person_merges",
    "linkage_models",
    "break_glass",
    "support_requests",
    "request_needs",
    "request_consents",
    "level_changes",
    "tac_members",
    "assessments",
    "assessment_versions",
    "tac_meetings",
    "tac_actions",
    "panel_referrals",
    "panels",
    "directory_organisations",
    "directory_taxonomies",
    "directory_terms",
    "directory_entries",
    "directory_entry_versions",
    "directory_version",
    "service_referrals",
    "group_teams",
    "group_team_schools",
    "group_team_members",
    "group_team_children",
    "group_team_meetings",
    "sign_in_locks",
    "credential_resets",
    "user_identities",
    "person_merge_requests",
];

/// The audit keys, newest first, and the last event allowed to be unkeyed.
#[derive(Debug, Clone, Default)]
pub struct AuditKeys {
    /// Keys, newest first: new events are sealed with the first.
    pub keys: Vec<everychild_domain::audit::AuditKey>,
    /// Events up to this sequence number were written before the chain was keyed.
    pub unkeyed_until: i64,
}

/// Shared audit keys.
pub(crate) type Sealing = Arc<std::sync::RwLock<AuditKeys>>;

/// The key new events are sealed with, if any.
pub(crate) fn sealing_key(s: &Sealing) -> Option<everychild_domain::audit::AuditKey> {
    s.read().ok().and_then(|k| k.keys.first().cloned())
}

impl SqlStore {
    /// Connect to `url` (`sqlite:path`, `sqlite::memory:` or `postgres://…`).
    pub async fn connect(
        url: &str,
        settings: &PoolSettings,
        clock: Arc<dyn Clock>,
    ) -> Result<Self> {
        sqlx::any::install_default_drivers();
        let backend = if url.starts_with("sqlite:") {
            Backend::Sqlite
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Backend::Postgres
        } else {
            return Err(StoreError::Database(
                "the database URL must start with sqlite: or postgres://".into(),
            ));
        };
        let mut url = url.to_owned();
        let memory = url.contains(":memory:") || url.contains("mode=memory");
        if backend == Backend::Sqlite && !memory && !url.contains("mode=") {
            url.push_str(if url.contains('?') {
                "&mode=rwc"
            } else {
                "?mode=rwc"
            });
        }
        let opts = AnyConnectOptions::from_str(&url)
            .map_err(|e| StoreError::Database(format!("the database URL is not valid: {e}")))?
            // Statements would be logged with their full text, which can be megabytes for an
            // import; requests are logged by the web layer instead.
            .disable_statement_logging();
        let mut pool = AnyPoolOptions::new()
            .max_connections(if memory { 1 } else { settings.max_connections })
            .acquire_timeout(settings.acquire_timeout);
        if memory {
            // One connection that never closes: an in-memory database lives as long as it.
            pool = pool
                .min_connections(1)
                .idle_timeout(None)
                .max_lifetime(None);
        }
        if backend == Backend::Sqlite {
            pool = pool.after_connect(|conn, _| {
                Box::pin(async move {
                    conn.execute(
                        "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; \
                         PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 10000;",
                    )
                    .await?;
                    Ok(())
                })
            });
        }
        let pool = pool.connect_with(opts).await?;
        let writer_lock =
            (backend == Backend::Sqlite).then(|| Arc::new(tokio::sync::Mutex::new(())));
        let sealing: Sealing = Arc::default();
        let audit_queue = crate::batch::spawn(pool.clone(), writer_lock.clone(), sealing.clone());
        Ok(Self {
            pool,
            backend,
            clock,
            writer_lock,
            audit_queue,
            geo: Arc::new(crate::geo::new_cache()),
            directory: Arc::new(crate::directory::new_cache()),
            rules: crate::CaseRules::default(),
            access: crate::AccessRules::default(),
            sealing,
        })
    }

    /// The same store sealing audit events with these keys (newest first; held outside the
    /// database). Until this is called, events are hashed without a key.
    pub fn with_audit_keys(self, keys: AuditKeys) -> Self {
        if let Ok(mut s) = self.sealing.write() {
            *s = keys;
        }
        self
    }

    /// The same store with these casework rules (checked by [`crate::CaseRules::new`]); until
    /// this is called, the defaults apply.
    pub fn with_case_rules(mut self, rules: crate::CaseRules) -> Self {
        self.rules = rules;
        self
    }

    /// The same store with these access rules (checked by [`crate::AccessRules::new`]);
    /// until this is called, the defaults apply.
    pub fn with_access_rules(mut self, rules: crate::AccessRules) -> Self {
        self.access = rules;
        self
    }

    /// The access rules in force.
    pub fn access_rules(&self) -> crate::AccessRules {
        self.access
    }

    /// The casework rules in force.
    pub fn case_rules(&self) -> crate::CaseRules {
        self.rules
    }

    /// Apply every migration not yet applied.
    pub async fn migrate(&self) -> Result<()> {
        let m = match self.backend {
            Backend::Sqlite => &SQLITE_MIGRATIONS,
            Backend::Postgres => &POSTGRES_MIGRATIONS,
        };
        m.run(&self.pool)
            .await
            .map_err(|e| StoreError::Database(format!("migration failed: {e}")))
    }

    /// Whether every migration this build knows has been applied (serve on PostgreSQL does
    /// not migrate: the owner does, with `everychild migrate`).
    pub async fn schema_is_current(&self) -> Result<bool> {
        let m = match self.backend {
            Backend::Sqlite => &SQLITE_MIGRATIONS,
            Backend::Postgres => &POSTGRES_MIGRATIONS,
        };
        let applied: std::result::Result<Vec<(i64,)>, sqlx::Error> =
            sqlx::query_as("SELECT version FROM _sqlx_migrations WHERE success")
                .fetch_all(&self.pool)
                .await;
        let applied: std::collections::HashSet<i64> = match applied {
            Ok(rows) => rows.into_iter().map(|(v,)| v).collect(),
            // No migrations table: nothing applied.
            Err(sqlx::Error::Database(_)) => Default::default(),
            Err(e) => return Err(e.into()),
        };
        Ok(m.iter().all(|mig| applied.contains(&mig.version)))
    }

    /// On PostgreSQL, whether the connected role could change the schema (and so drop the
    /// audit log's append-only triggers): a superuser, the owner of the audit log, or a role
    /// that may create in the schema. Always false on SQLite (one file, one owner).
    pub async fn role_can_alter_schema(&self) -> Result<bool> {
        if self.backend != Backend::Postgres {
            return Ok(false);
        }
        let (n,): (i64,) = sqlx::query_as(
            "SELECT CASE WHEN \
                (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) \
                OR COALESCE((SELECT pg_has_role(current_user, tableowner, 'USAGE') FROM pg_tables \
                     WHERE schemaname = current_schema() AND tablename = 'audit_events'), false) \
                OR has_schema_privilege(current_schema(), 'CREATE') \
             THEN 1 ELSE 0 END::bigint",
        )
        .fetch_one(&self.pool)
        .await?;
        Ok(n == 1)
    }

    /// On PostgreSQL, let `role` run the service without changing the schema: it reads and
    /// writes the tables, but only appends to the audit log, moves the chain head, and reads
    /// the migrations. Run as the owner, after migrating.
    pub async fn grant_runtime_role(&self, role: &str) -> Result<()> {
        if self.backend != Backend::Postgres {
            return Err(StoreError::Conflict(
                "a runtime role is for PostgreSQL only".into(),
            ));
        }
        let valid = !role.is_empty()
            && role.len() <= 63
            && role.starts_with(|c: char| c.is_ascii_lowercase() || c == '_')
            && role
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
        if !valid {
            return Err(StoreError::invalid("role", format!("{role:?} is not a valid role name (lower-case letters, digits and _, at most 63)"
            )));
        }
        let (schema,): (String,) = sqlx::query_as("SELECT current_schema()::text")
            .fetch_one(&self.pool)
            .await?;
        let schema = schema.replace('"', "\"\"");
        let r = format!("\"{role}\"");
        let s = format!("\"{schema}\"");
        let mut tx = self.pool.begin().await?;
        for stmt in [
            format!("GRANT USAGE ON SCHEMA {s} TO {r}"),
            format!("REVOKE CREATE ON SCHEMA {s} FROM {r}"),
            format!("GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA {s} TO {r}"),
            format!("REVOKE UPDATE, DELETE, TRUNCATE ON {s}.audit_events FROM {r}"),
            format!("REVOKE INSERT, DELETE, TRUNCATE ON {s}.audit_head FROM {r}"),
            format!("REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON {s}._sqlx_migrations FROM {r}"),
            format!("GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {s} TO {r}"),
        ] {
            sqlx::query(&stmt).execute(&mut *tx).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Refresh the planner's statistics of `tables` after a bulk load, so that PostgreSQL's
    /// plans hold (before autovacuum would get round to it, a freshly loaded table looks
    /// empty and is scanned whole). A role that does not own a table is skipped by PostgreSQL
    /// with a warning, never an error. SQLite keeps no statistics on purpose: without
    /// `sqlite_stat1` its planner prefers the indexes, whereas statistics taken once go stale
    /// as the audit log grows (taken while it held two events, they made SQLite scan it whole
    /// on every read of a child's record).
    pub(crate) async fn analyze(&self, tables: &[&str]) -> Result<()> {
        match self.backend {
            Backend::Postgres => {
                for t in tables {
                    debug_assert!(t
                        .chars()
                        .all(|c| c.is_ascii_lowercase() || c == '_' || c.is_ascii_digit()));
                    sqlx::query(&format!("ANALYZE {t}"))
                        .execute(&self.pool)
                        .await?;
                }
            }
            Backend::Sqlite => {}
        }
        Ok(())
    }

    /// Refresh the planner's statistics of every table (after the demo's build, say).
    pub async fn analyze_all(&self) -> Result<()> {
        self.analyze(ALL_TABLES).await
    }

    /// The same store (same database, caches and audit writer) reading another clock: for
    /// recording what happened at other times, as the demo's case histories do.
    pub fn with_clock(&self, clock: Arc<dyn Clock>) -> SqlStore {
        SqlStore {
            clock,
            ..self.clone()
        }
    }

    /// Which database this is.
    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Close every connection; later calls fail as unavailable (used to test failing closed).
    pub async fn close(&self) {
        self.pool.close().await;
    }

    pub(crate) fn now(&self) -> Timestamp {
        Timestamp::from_datetime(self.clock.now())
    }
}

/// Whether the database answers.
#[async_trait]
pub trait HealthRepo: Send + Sync {
    /// A trivial query.
    async fn ping(&self) -> Result<()>;
}

#[async_trait::async_trait]
impl HealthRepo for SqlStore {
    async fn ping(&self) -> Result<()> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }
}
