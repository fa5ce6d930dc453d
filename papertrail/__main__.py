import sys

from papertrail.cli import main

sys.exit(main())
