-- Messages of the chat app. Columns are named as the record serializes
-- them (`Message` is camelCase: "userId"), since the adapter maps fields
-- to columns by name. No foreign key on "userId": removing a user keeps
-- their messages, as on the memory storage.
CREATE TABLE messages (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    text TEXT NOT NULL,
    "userId" INTEGER,
    anonymous BOOLEAN
);

-- `restrict_to_owner("userId")` and `?userId=` look messages up by author.
CREATE INDEX messages_user_id ON messages ("userId");
