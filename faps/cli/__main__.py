"""Run the faps command line with `python -m faps.cli`."""

from faps.cli import main

main()
