"""Raw to processed: the table store (one name to file map) and prepare, which writes it."""
