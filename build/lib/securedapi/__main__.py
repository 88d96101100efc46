"""``python -m securedapi``: the same as the ``securedapi`` command."""

import sys

from securedapi.cli import main

sys.exit(main())
