import sys

from bench.households.run import main

sys.exit(main())
