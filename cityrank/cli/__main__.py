"""``python -m cityrank.cli``: the same as the ``cityrank`` console script."""

import sys

from cityrank.cli.main import main

sys.exit(main())
