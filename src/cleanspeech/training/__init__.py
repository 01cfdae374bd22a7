"""Training stage: every trainer and builder the project has.

The classifier loop (config, losses, data, the Accelerate ``trainer``, ``sweep``), the token
taggers' loop (``tagger``, ``edit_tagger``), both sharing ``optim``'s steps; the linear model
(``linear``), the ``cascade`` fit and its build (``cascade_build``), a shippable int8 ``member``,
and the rewriter's resources (``rewrite_lexicon``).

Import the submodules directly (``cleanspeech.training.trainer``); this package import stays
light so the CLI can list commands without importing torch.
"""
