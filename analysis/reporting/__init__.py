"""Pages and documents: tables and figures for the notebooks, the written summary, Word, HTML."""
