"""Pages and documents, from the processed tables to what a reader sees.

* ``tables`` — the tables of the pages and the Word document (text, ready to show);
* ``figures`` — the pages' maps; ``charts`` — the fan and trend charts themselves;
* ``indicator_charts`` — one chart per indicator, with its alt text and table of figures;
* ``ranking`` — villages ranked within their town;
* ``narrative`` — the written summary and the village paragraph, and the summary as Word;
* ``sections`` — what the notebooks display: titles, headings, tables and figures as HTML;
* ``reads`` — what each section reads of the processed tables, declared beside it (``@reads``),
  of which each page's fingerprint is made;
* ``publish`` — the HTML pages (notebook pages, index, error pages) with their provenance;
* ``documents`` — what a build writes besides the pages: the index, the .docx, print maps;
* ``explore`` — the widgets of the explore notebook.

Words come from :mod:`analysis.core.labels` and numbers from :mod:`analysis.core.numbers`.
"""
