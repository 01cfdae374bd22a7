"""``python -m cleanspeech.training ARGS`` is ``cleanspeech train ARGS``.

``accelerate launch`` starts a module or a script, not a console command, so multi-process
training needs this module entry:

    accelerate launch --num_processes 4 -m cleanspeech.training --config configs/mdeberta-v3-base.yaml -o runs/x
"""

import sys

from cleanspeech.cli import app

app(args=["train", *sys.argv[1:]], prog_name="python -m cleanspeech.training")
