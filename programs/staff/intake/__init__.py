"""
Add from a report: read a news report or notice and propose draft records.

The pipeline, one module per step:

- ``documents``: the upload or pasted text to plain text, refusing bad input
  with one clear line (``IntakeError``);
- ``text``: paragraphs and sentences with their offsets, and the language;
- ``numbers`` and ``dates``: numerals, qualifiers and dates resolved against
  the publication date, in English and Chinese;
- ``names``: districts, and organizations matched to those on file or
  proposed from how their names end;
- ``extract``: agreements and announced figures, sentence by sentence;
- ``proposals``: what is proposed, with its evidence, and the JSON contract;
- ``confirm``: the reviewed proposals created as drafts in one transaction.

Everything runs offline with rules, not a model: each proposal can be traced
to the words that produced it, and staff review every one before it exists.
"""
