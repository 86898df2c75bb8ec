"""planwatch's SQLite database engine (settings: ENGINE "planwatch.lib.sqlite"): Django's,
with a finer wait for the write lock; see base.py."""
