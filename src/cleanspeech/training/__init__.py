"""Training stage: config dataclass, losses, data loading and the Accelerate loop (issue 3).

Import the submodules directly (``cleanspeech.training.trainer``); this package import stays
light so the CLI can list commands without importing torch.
"""
