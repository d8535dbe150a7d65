-- Users of the chat app. AUTOINCREMENT: an id is never given twice, so a
-- token whose `sub` named a removed user never names a new one.
-- The UNIQUE email is what makes a second sign-up a 409 Conflict.
CREATE TABLE users (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    email TEXT NOT NULL UNIQUE,
    password TEXT
);
