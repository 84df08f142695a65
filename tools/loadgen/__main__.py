"""python -m tools.loadgen ...: the same as `mtserver loadgen ...`."""

import sys

from tools.cli import main

sys.exit(main(["loadgen", *sys.argv[1:]]))
