-- History is append-only: the row triggers stop UPDATE and DELETE; this
-- statement trigger stops TRUNCATE, which row triggers do not see.
CREATE TRIGGER "certification_event_no_truncate"
    BEFORE TRUNCATE ON "certification_event"
    FOR EACH STATEMENT EXECUTE FUNCTION "certification_event_append_only"();
