-- A clinic's own fallback model for the LLM agent; NULL: the server's.
ALTER TABLE org_settings ADD COLUMN llm_fallback_model TEXT;
