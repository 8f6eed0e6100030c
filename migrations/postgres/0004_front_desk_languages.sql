-- Languages the front desk speaks besides English, comma-separated codes ("es,zh").
ALTER TABLE org_settings ADD COLUMN languages text;
