-- What our WebSocket saw of a call's end, so a call Retell's webhooks never describe still
-- ends: when the last connection closed (Unix milliseconds) and who ended it (agent,
-- transfer, peer, dropped, server). A reconnect clears both. Row level security and grants
-- are the table's.
ALTER TABLE call_records ADD COLUMN socket_ended_ms bigint;
ALTER TABLE call_records ADD COLUMN ended_by text;
