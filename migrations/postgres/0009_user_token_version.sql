-- Access tokens carry the user's token_version when issued; a password change, a deactivation or a role
-- change increments it, so every access token issued before is refused at once (not only at expiry).
ALTER TABLE users ADD COLUMN token_version bigint NOT NULL DEFAULT 0;
