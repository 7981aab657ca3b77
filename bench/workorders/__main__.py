import sys

from bench.workorders.run import main

sys.exit(main())
