-- Up Migration

-- The role the API and the worker act as (they SET it on every connection): it reads and writes
-- the record but can never rewrite history — no UPDATE, DELETE or TRUNCATE on the audit trail, and
-- as a non-superuser it cannot switch the append-only triggers off either.
DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'huanjie_app') THEN
    CREATE ROLE huanjie_app NOLOGIN;
  END IF;
END
$$;
-- The migrating user must be able to act as it (a superuser already can).
GRANT huanjie_app TO CURRENT_USER;
GRANT USAGE ON SCHEMA public TO huanjie_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO huanjie_app;
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO huanjie_app;
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO huanjie_app;
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO huanjie_app;
REVOKE UPDATE, DELETE, TRUNCATE ON audit_events FROM huanjie_app;
REVOKE ALL ON pgmigrations FROM huanjie_app;

-- Down Migration
ALTER DEFAULT PRIVILEGES IN SCHEMA public REVOKE ALL ON TABLES FROM huanjie_app;
ALTER DEFAULT PRIVILEGES IN SCHEMA public REVOKE ALL ON SEQUENCES FROM huanjie_app;
REVOKE ALL ON ALL TABLES IN SCHEMA public FROM huanjie_app;
REVOKE ALL ON ALL SEQUENCES IN SCHEMA public FROM huanjie_app;
REVOKE USAGE ON SCHEMA public FROM huanjie_app;
