-- The epoch of a user's access tokens (`AuthConfig::token_epoch_field`):
-- a logout or a change of password writes a fresh one, which revokes the
-- tokens issued before, on every instance sharing this database. NULL
-- until the first.
ALTER TABLE users ADD COLUMN "tokenEpoch" TEXT;
