import sys

from bench.care.run import main

sys.exit(main())
