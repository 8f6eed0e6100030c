-- Retell's link to a call's recording, shown on the console's call page.
ALTER TABLE call_records ADD COLUMN recording_url text;
