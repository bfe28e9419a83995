"""`python -m shingikai.cli ...` runs the `shingikai` command."""

import sys

from shingikai.cli.main import main

sys.exit(main())
