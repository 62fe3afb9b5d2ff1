"""Files that live in no messenger: web chat visitors' and API contacts' uploads, and the
operators' files passed on to them. The bytes are kept in the database (`StoredFile`) so
that every instance serves them; links to them are signed and expire."""
