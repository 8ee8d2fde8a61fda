-- A group's reaction set, chosen by its Owners: which emoji the issues, merge
-- requests, snippets and comments of its projects take (`emoji`: names
-- separated by spaces; empty: all) and whether thumbsdown is among them.
-- Subgroups and their projects follow the nearest group that has one.
CREATE TABLE reaction_sets (
    group_id   BIGINT PRIMARY KEY REFERENCES namespaces (id) ON DELETE CASCADE,
    emoji      TEXT    NOT NULL,
    downvotes  BOOLEAN NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL
);
