"""The process's infrastructure: the database (embedded or not), migrations, generated artifacts."""
