import sys

from balie.cli import main

sys.exit(main())
